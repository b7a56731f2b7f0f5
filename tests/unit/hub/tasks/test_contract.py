"""What every task queue promises: the same task names, refused alike when unknown, and each name
a task the worker really defines."""

from __future__ import annotations

import json
import os

import pytest

from config import Config
from hub.tasks import Task, queue_from_url
from hub.tasks.celery import TASK_PREFIX
from workers.app import celery


@pytest.fixture(params=["memory", "embedded"])
def queue(request, tmp_path):
    url = "memory://" if request.param == "memory" else f"filesystem://{tmp_path / 'broker'}"
    queue = queue_from_url(Config.from_env(data_dir=tmp_path, secret_key="k", broker_url=url))
    yield queue
    queue.close()


def queued(queue, tmp_path) -> list[str]:
    """The task names a queue holds: its record in memory, the message files on the broker."""
    if hasattr(queue, "names"):
        return queue.names()
    folder = tmp_path / "broker" / "queue"
    messages = [json.loads((folder / name).read_text()) for name in sorted(os.listdir(folder))]
    return [m["headers"]["task"].removeprefix(TASK_PREFIX) for m in messages]


def test_sent_tasks_are_queued_by_name(queue, tmp_path):
    queue.send(Task.HARVEST_SOURCE, 1, 2)
    queue.send(Task.RECONCILE_SEARCH)

    # sorted: two files written in one millisecond have no order on the broker
    assert sorted(queued(queue, tmp_path)) == ["harvest_source", "reconcile_search"]


def test_an_unknown_task_is_refused_and_nothing_is_queued(queue, tmp_path):
    with pytest.raises(ValueError):
        queue.send("rm_rf")

    assert queued(queue, tmp_path) == []


def test_no_worker_is_alive_before_one_starts(queue):
    assert queue.worker_alive() is False


def test_every_task_name_is_a_task_the_worker_defines():
    celery.loader.import_default_modules()

    assert {TASK_PREFIX + task for task in Task} <= set(celery.tasks)
