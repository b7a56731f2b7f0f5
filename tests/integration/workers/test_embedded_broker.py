"""The embedded broker under load: several processes send thousands of tasks while a real worker
runs them; every task runs exactly once and the worker survives (kombu issue 1551)."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter

import pytest

from config import Config
from hub.tasks.embedded import stop_worker
from tests.integration.workers.conftest import wait_for
from tests.support import probe_tasks

PRODUCERS = 4
PER_PRODUCER = int(os.environ.get("EDUHUB_TEST_BROKER_TASKS", "750"))


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
    with open(config.data_dir / "worker.log", "ab") as log:
        process = probe_tasks.start_probe_worker(config, log)
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
        context.Process(target=probe_tasks.produce, args=(config, str(path), p, PER_PRODUCER))
        for p in range(PRODUCERS)
    ]
    for process in producers:
        process.start()
    for process in producers:
        process.join()
    total = PRODUCERS * PER_PRODUCER
    assert [p.exitcode for p in producers] == [0] * PRODUCERS  # a producer that failed says so now

    wait_for(lambda: len(lines(path)) >= total, timeout=600, what=f"{total} tasks to run")

    counts = Counter(lines(path))
    expected = {f"{p}-{n}" for p in range(PRODUCERS) for n in range(PER_PRODUCER)}
    assert set(counts) == expected and set(counts.values()) == {1}
    assert os.listdir(config.data_dir / "broker" / "queue") == []  # nothing left to run twice
    assert probe_worker.poll() is None, (config.data_dir / "worker.log").read_text()[-2000:]
    assert "Unrecoverable error" not in (config.data_dir / "worker.log").read_text()
