"""The in-memory task queue records what it is sent and never claims a worker."""

from __future__ import annotations

import pytest

from hub.tasks import Task
from hub.tasks.memory import KEEP, MemoryTaskQueue


def test_sent_tasks_are_recorded_in_order_with_their_arguments():
    queue = MemoryTaskQueue()

    queue.send(Task.HARVEST_SOURCE, 3, 7)
    queue.send(Task.VERIFY_CHECKSUMS)

    assert list(queue.sent) == [("harvest_source", (3, 7)), ("verify_checksums", ())]


def test_an_unknown_task_name_is_refused_before_it_is_queued():
    queue = MemoryTaskQueue()

    with pytest.raises(ValueError):
        queue.send("drop_database")

    assert not queue.sent


def test_no_worker_is_ever_alive():
    assert MemoryTaskQueue().worker_alive() is False


def test_a_hub_without_a_worker_keeps_only_the_latest_tasks():
    queue = MemoryTaskQueue()

    for n in range(KEEP + 5):
        queue.send(Task.SYNC_SOURCE, n)

    assert len(queue.sent) == KEEP and queue.sent[-1] == ("sync_source", (KEEP + 4,))
