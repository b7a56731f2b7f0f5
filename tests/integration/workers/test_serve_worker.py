"""`eduhub serve` on the embedded broker keeps its worker alive: kill the worker, and serve starts
another that still runs the tasks the hub sends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from config import Config
from hub.bootstrap import Hub, bootstrap
from hub.db.models.sources import Source
from hub.security.principal import SYSTEM
from hub.tasks import Task
from hub.tasks.embedded import config_env
from tests.factories import make_org
from tests.integration.workers.conftest import ROOT, finished_run, wait_for
from tests.support import fake_source
from tests.support.postgres import _spare_port


@pytest.fixture
def serve_config(tmp_path) -> Config:
    data_dir = tmp_path / "var"
    return Config.from_env(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url=f"filesystem://{data_dir / 'broker'}",
        secret_key="test-secret",
    )


@pytest.fixture
def served(serve_config, tmp_path):
    """A real `eduhub serve --workers 1`; yields its log path."""
    env = config_env(serve_config)
    env["EDUHUB_CONNECTORS"] = f"{fake_source.KIND}=tests.support.fake_source:FakeConnector"
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-c", "from hub.cli import main; main()", "serve"]
    command += ["--port", str(_spare_port()), "--workers", "1"]
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        yield log_path
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def worker_pids(hub: Hub) -> set[int]:
    return {int(name.rsplit("-", 1)[1]) for name in hub.tasks.heartbeat.alive()}


def fake_source_row(hub: Hub) -> int:
    org = make_org(hub, code="nx-serve-org")
    with hub.uow() as uow:
        source = Source(
            name="fake-src",
            kind="fake",
            url="http://source.example",
            org_id=org["id"],
            options={"generate": 5},
        )
        uow.session.add(source)
        uow.commit()
        return source.id


def test_serve_restarts_a_killed_worker_which_then_runs_a_sync(serve_config, served):
    hub = bootstrap(serve_config)
    first = wait_for(lambda: worker_pids(hub), timeout=180, what="the embedded worker")
    source_id = fake_source_row(hub)

    os.kill(next(iter(first)), signal.SIGKILL)
    wait_for(lambda: "restarting" in served.read_text(), what="serve to notice")
    wait_for(lambda: worker_pids(hub) - first, timeout=180, what="a new worker's heartbeat")
    hub.tasks.send(Task.SYNC_SOURCE, source_id)
    runs = wait_for(lambda: hub.sync.list_runs(SYSTEM, source_id), what="the sync to start")

    assert finished_run(hub, runs[0]["id"])["status"] == "succeeded"
    hub.close()
