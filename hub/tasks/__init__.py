"""Task dispatch: `queue_from_url` picks the adapter named by `EDUHUB_BROKER_URL`."""

from __future__ import annotations

from config import Config
from hub.tasks.base import Task, TaskQueue
from hub.tasks.memory import MemoryTaskQueue
from hub.tasks.topics import Topic

__all__ = ["Task", "TaskQueue", "Topic", "queue_from_url"]


def queue_from_url(config: Config) -> TaskQueue:
    """`memory://` records tasks and runs none; every other broker URL goes to Celery."""
    if config.broker_url.startswith("memory://"):
        return MemoryTaskQueue()
    # Importing Celery takes a fifth of a second: a hub (or a test) on memory:// never pays it.
    from hub.tasks.celery import CeleryTaskQueue

    return CeleryTaskQueue(config)
