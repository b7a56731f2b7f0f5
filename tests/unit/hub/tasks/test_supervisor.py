"""The supervisor restarts a dying worker, backing off while it keeps dying, and logs each death."""

from __future__ import annotations

import logging
import sys
import time

import pytest

from config import Config
from hub.tasks import embedded
from hub.tasks.embedded import WorkerSupervisor


@pytest.fixture
def dying(tmp_path, monkeypatch):
    """A supervisor whose "worker" exits with code 5 at once."""
    monkeypatch.setattr(embedded, "FIRST_DELAY", 0.05)
    monkeypatch.setattr(embedded, "POLL", 0.01)
    supervisor = WorkerSupervisor(Config.from_env(data_dir=tmp_path, secret_key="k"))
    supervisor.command = [sys.executable, "-c", "raise SystemExit(5)"]
    yield supervisor
    supervisor.stop()


def test_a_worker_that_keeps_dying_is_restarted_with_a_doubling_delay(dying, caplog):
    caplog.set_level(logging.WARNING, logger=embedded.__name__)

    dying.start()
    for _ in range(1000):
        if dying.restarts >= 3:
            break
        time.sleep(0.01)
    dying.stop()

    deaths = [r for r in caplog.records if "exited" in r.getMessage()]
    assert "with code 5" in deaths[0].getMessage()
    assert [r.args[2] for r in deaths[:3]] == [0.05, 0.1, 0.2]


def test_stopping_the_supervisor_stops_its_worker_and_restarts_nothing(tmp_path):
    supervisor = WorkerSupervisor(Config.from_env(data_dir=tmp_path, secret_key="k"))
    supervisor.command = [sys.executable, "-c", "import time; time.sleep(60)"]

    supervisor.start()
    supervisor.stop()

    assert supervisor.process.poll() is not None and supervisor.restarts == 0
