"""`wake_outbox`: one wake a second for a burst of commits; held wakes become one at the end."""

from __future__ import annotations

import pytest

from hub.tasks import base
from hub.tasks.memory import MemoryTaskQueue


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(base.time, "monotonic", clock)
    return clock


def test_a_burst_of_commits_wakes_the_worker_once(clock):
    queue = MemoryTaskQueue()

    for _ in range(50):
        queue.wake_outbox()

    assert queue.names() == ["process_outbox"]


def test_a_commit_after_the_interval_wakes_the_worker_again(clock):
    queue = MemoryTaskQueue()

    queue.wake_outbox()
    clock.now += base.WAKE_INTERVAL
    queue.wake_outbox()

    assert queue.names() == ["process_outbox", "process_outbox"]


def test_held_wakes_are_sent_once_when_the_hold_ends(clock):
    queue = MemoryTaskQueue()
    queue.wake_outbox()  # a wake just before must not swallow the one the hold owes

    with queue.wakes_held():
        for _ in range(10):
            clock.now += 5
            queue.wake_outbox()
        assert queue.names() == ["process_outbox"]

    assert queue.names() == ["process_outbox", "process_outbox"]


def test_a_hold_without_commits_sends_nothing(clock):
    queue = MemoryTaskQueue()

    with queue.wakes_held(), queue.wakes_held():
        pass

    assert queue.names() == []
