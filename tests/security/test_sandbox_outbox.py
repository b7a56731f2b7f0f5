"""A message whose handler kills its worker (out of memory, SIGKILL) is given up after MAX_ATTEMPTS
instead of being retried forever; the messages behind it still get done."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
from sqlalchemy import update

from hub.db.models import OutboxMessage
from hub.services import outbox

KILLER, GOOD = "test.kills-its-worker", "test.harmless"


def kill_own_process(payload):
    os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer does to a worker


def run_worker_once(hub) -> int:
    """One pass of the outbox in a forked worker process; its exit code."""

    def work():
        hub.db.engine.dispose(close=False)  # the parent's pooled connections are not ours
        hub.outbox.process()

    worker = multiprocessing.get_context("fork").Process(target=work)
    worker.start()
    worker.join()
    return worker.exitcode


def time_passes(hub) -> None:
    """As if the back-off had elapsed (no waiting in tests)."""
    with hub.db.session() as session:
        session.execute(update(OutboxMessage).values(next_attempt=None))
        session.commit()


@pytest.fixture
def messages(hub, monkeypatch, tmp_path):
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 3)
    monkeypatch.setitem(hub.outbox.handlers, KILLER, kill_own_process)
    done = tmp_path / "harmless-done"
    monkeypatch.setitem(hub.outbox.handlers, GOOD, lambda payload: done.write_text("ok"))
    with hub.uow() as uow:
        uow.outbox(KILLER, sha256="0" * 64)
        uow.outbox(GOOD)
        uow.commit()
    return done


def load(hub, topic: str) -> OutboxMessage:
    with hub.db.session() as session:
        return session.query(OutboxMessage).filter_by(topic=topic).one()


def test_a_message_that_keeps_killing_its_worker_is_given_up(hub, messages):
    exits = []
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        exits.append(run_worker_once(hub))
        time_passes(hub)

    assert exits[: outbox.MAX_ATTEMPTS] == [-signal.SIGKILL] * outbox.MAX_ATTEMPTS
    assert exits[outbox.MAX_ATTEMPTS :] == [0, 0]  # no worker dies any more
    killer = load(hub, KILLER)
    assert killer.attempts == outbox.MAX_ATTEMPTS and killer.processed is None
    assert load(hub, GOOD).processed is not None and messages.read_text() == "ok"


def test_an_attempt_is_counted_before_the_handler_runs(hub, messages):
    assert run_worker_once(hub) == -signal.SIGKILL
    assert load(hub, KILLER).attempts == 1
    assert run_worker_once(hub) == 0  # within the back-off: not taken again at once
    assert load(hub, KILLER).attempts == 1
