"""The embedded broker under load: several processes send thousands of tasks while a real worker
runs them; every task runs exactly once and the worker survives (kombu issue 1551)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections import Counter

import pytest

from config import Config
from hub.tasks.celery import CeleryTaskQueue
from hub.tasks.embedded import config_env, stop_worker
from tests.integration.workers.conftest import ROOT, wait_for
from tests.support import probe_tasks

PRODUCERS = 4
PER_PRODUCER = int(os.environ.get("EDUHUB_TEST_BROKER_TASKS", "750"))


def produce(config: Config, path: str, producer: int, count: int) -> None:
    """One producer process: its own Celery client on the same broker folder."""
    client = CeleryTaskQueue(config).client
    for n in range(count):
        client.send_task(probe_tasks.NAME, args=(path, f"{producer}-{n}"), retry=False)
    client.close()


@pytest.fixture
def config(tmp_path) -> Config:
    """Only the broker matters here: the probe task touches no database."""
    data_dir = tmp_path / "var"
    return Config.from_env(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        broker_url=f"filesystem://{data_dir / 'broker'}",
        secret_key="test-secret",
        testing=True,
        beat_schedule={},
    )


@pytest.fixture
def probe_worker(config):
    config.data_dir.mkdir(parents=True, exist_ok=True)
    env = config_env(config)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "celery", "-A", "workers.app", "worker"]
    command += ["--include", "tests.support.probe_tasks", "--pool", "threads", "-c", "2"]
    command += ["--without-mingle", "--without-gossip", "--loglevel", "WARNING"]
    with open(config.data_dir / "worker.log", "ab") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
        yield process
        stop_worker(process)


def lines(path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_thousands_of_tasks_from_several_processes_each_run_exactly_once(
    config, probe_worker, tmp_path
):
    path = tmp_path / "executed.txt"
    context = multiprocessing.get_context("spawn")
    producers = [
        context.Process(target=produce, args=(config, str(path), p, PER_PRODUCER))
        for p in range(PRODUCERS)
    ]
    for process in producers:
        process.start()
    for process in producers:
        process.join()
    total = PRODUCERS * PER_PRODUCER

    wait_for(lambda: len(lines(path)) >= total, timeout=600, what=f"{total} tasks to run")

    assert [p.exitcode for p in producers] == [0] * PRODUCERS
    counts = Counter(lines(path))
    expected = {f"{p}-{n}" for p in range(PRODUCERS) for n in range(PER_PRODUCER)}
    assert set(counts) == expected and set(counts.values()) == {1}
    assert probe_worker.poll() is None, (config.data_dir / "worker.log").read_text()[-2000:]
    assert "Unrecoverable error" not in (config.data_dir / "worker.log").read_text()
