"""Real Celery worker processes on the embedded broker and on Redis, against the test's hub."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from config import Config
from hub.db.models.sources import Source
from hub.security.principal import SYSTEM
from hub.tasks.embedded import config_env, stop_worker, worker_command
from tests.factories import make_org
from tests.support import fake_source, need

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FINISHED = ("succeeded", "partial", "failed")


@pytest.fixture(params=["embedded", "redis"])
def broker_url(request, tmp_path):
    if request.param == "embedded":
        return f"filesystem://{tmp_path / 'var' / 'broker'}"
    from tests.support import redis

    try:
        url = redis.server_url()
    except redis.Unavailable as exc:
        need("Redis", str(exc))
    # One database number per test keeps queues apart when a server is shared.
    return url.rsplit("/", 1)[0] + f"/{abs(hash(request.node.nodeid)) % 15 + 1}"


@pytest.fixture
def config(tmp_path, database_url, broker_url) -> Config:
    data_dir = tmp_path / "var"
    return Config.from_env(
        data_dir=data_dir,
        database_url=database_url,
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url=broker_url,
        secret_key="test-secret",
        testing=True,
        beat_schedule={},
    )


@pytest.fixture(autouse=True)
def fake_kind():
    fake_source.install()


@pytest.fixture
def start_worker(config):
    started: list[subprocess.Popen] = []
    config.data_dir.mkdir(parents=True, exist_ok=True)
    log = open(config.data_dir / "worker.log", "ab")  # noqa: SIM115  (open while workers run)

    def start() -> subprocess.Popen:
        env = config_env(config)
        config.data_dir.mkdir(parents=True, exist_ok=True)
        env["EDUHUB_CONNECTORS"] = f"{fake_source.KIND}=tests.support.fake_source:FakeConnector"
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        process = subprocess.Popen(
            worker_command(beat=False, concurrency=2),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        stop_worker(process)
    log.close()


@pytest.fixture
def make_source(hub):
    def make(count: int) -> int:
        org = make_org(hub, code="nx-worker-org")
        with hub.uow() as uow:
            source = Source(
                name="fake-src",
                kind="fake",
                url="http://source.example",
                org_id=org["id"],
                options={"generate": count},
            )
            uow.session.add(source)
            uow.commit()
            return source.id

    return make


def wait_for(predicate, *, timeout: float = 120.0, interval: float = 0.25, what: str = "condition"):
    """Poll until `predicate()` is truthy; a deadline only so a broken worker fails, not hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"gave up waiting for {what}")


def finished_run(hub, run_id: int, **kwargs) -> dict:
    def done():
        run = hub.sync.get_run(SYSTEM, run_id)
        return run if run["status"] in FINISHED else None

    return wait_for(done, what=f"sync run {run_id} to finish", **kwargs)
