"""The embedded worker is supervised: killed, it is started again and tasks still run; waiting
commands see whether a worker is alive."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess

import pytest

from hub.security.principal import SYSTEM
from hub.tasks import Task
from hub.tasks.celery import CeleryTaskQueue
from hub.tasks.embedded import WorkerSupervisor
from tests.integration.workers.conftest import ROOT, finished_run, wait_for
from tests.support import fake_source


@pytest.fixture
def supervisor(config, monkeypatch):
    connector = f"{fake_source.KIND}=tests.support.fake_source:FakeConnector"
    monkeypatch.setenv("EDUHUB_CONNECTORS", connector)
    monkeypatch.setenv("PYTHONPATH", ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setattr("hub.tasks.embedded.FIRST_DELAY", 0.2)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    with open(config.data_dir / "worker.log", "ab") as log:
        started = WorkerSupervisor(
            config, beat=False, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log
        ).start()
        yield started
        started.stop()


def beating(hub, pid: int) -> bool:
    return f"{socket.gethostname()}-{pid}" in hub.tasks.heartbeat.alive()


@pytest.mark.parametrize("broker_url", ["embedded"], indirect=True)
def test_a_killed_worker_is_restarted_and_runs_the_next_task(hub, make_source, supervisor, caplog):
    caplog.set_level(logging.WARNING, logger="hub.tasks.embedded")
    source_id = make_source(5)
    first = supervisor.process
    wait_for(lambda: beating(hub, first.pid), what="the first worker's heartbeat")

    first.send_signal(signal.SIGKILL)
    second = wait_for(
        lambda: supervisor.process if supervisor.process.pid != first.pid else None,
        what="a new worker process",
    )
    wait_for(lambda: beating(hub, second.pid), what="the new worker's heartbeat")
    hub.tasks.send(Task.SYNC_SOURCE, source_id)
    run = wait_for(lambda: hub.sync.list_runs(SYSTEM, source_id), what="the sync task to run")

    assert finished_run(hub, run[0]["id"])["status"] == "succeeded"
    assert supervisor.restarts == 1
    assert f"pid {first.pid}" in caplog.text and "restarting" in caplog.text


def test_worker_alive_follows_the_worker_on_each_broker(hub, start_worker):
    assert isinstance(hub.tasks, CeleryTaskQueue) and hub.tasks.worker_alive() is False

    worker = start_worker()
    wait_for(hub.tasks.worker_alive, what="the worker's heartbeat")
    worker.send_signal(signal.SIGTERM)  # warm shutdown clears the heartbeat
    worker.wait()

    assert hub.tasks.worker_alive() is False
