"""The in-memory task queue (`memory://`): records what was sent; no worker ever runs it."""

from __future__ import annotations

from collections import deque

from hub.tasks.base import Task, TaskQueue

KEEP = 10_000  # a long-running hub without a worker must not grow without bound


class MemoryTaskQueue(TaskQueue):
    """For tests, and for a hub without a worker: outbox messages wait until something runs them."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: deque[tuple[str, tuple]] = deque(maxlen=KEEP)

    def send(self, task: Task, *args) -> None:
        self.sent.append((Task(task).value, args))

    def worker_alive(self) -> bool:
        return False

    def names(self) -> list[str]:
        """The names of the tasks sent, oldest first."""
        return [name for name, _args in self.sent]
