"""Task dispatch: the `TaskQueue` port that services use to hand work to a worker."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

# A burst of commits (an import, seed-demo) wakes the worker once, not once per commit.
WAKE_INTERVAL = 1.0  # seconds


class Task(StrEnum):
    """The tasks a worker runs, by the short name the port sends (workers/tasks.py defines them)."""

    PROCESS_OUTBOX = "process_outbox"
    HARVEST_SOURCE = "harvest_source"
    SYNC_SOURCE = "sync_source"
    VERIFY_CHECKSUMS = "verify_checksums"
    PURGE_UPLOADS = "purge_uploads"
    RECONCILE_SEARCH = "reconcile_search"
    MAKE_RENDITION = "make_rendition"


class TaskQueue(ABC):
    """Sends tasks to workers and tells whether any worker is alive to run them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_wake = float("-inf")
        self._held = 0
        self._wake_wanted = False

    @abstractmethod
    def send(self, task: Task, *args) -> None:
        """Queue `task(*args)`; never blocks long when the broker is down (the outbox retries)."""

    @abstractmethod
    def worker_alive(self) -> bool:
        """Whether some worker has shown a sign of life recently (its heartbeat)."""

    def wake_outbox(self) -> None:
        """Ask a worker to process the outbox, at most once a second; beat's periodic
        process_outbox catches anything a skipped wake leaves behind."""
        with self._lock:
            if self._held:
                self._wake_wanted = True
                return
            now = time.monotonic()
            if now - self._last_wake < WAKE_INTERVAL:
                return
            self._last_wake = now
        self.send(Task.PROCESS_OUTBOX)

    @contextmanager
    def wakes_held(self) -> Iterator[None]:
        """Collect the wakes of many commits (seeding, imports) into one at the end."""
        with self._lock:
            self._held += 1
        try:
            yield
        finally:
            with self._lock:
                self._held -= 1
                wanted = self._wake_wanted and not self._held
                if wanted:
                    self._wake_wanted = False
                    self._last_wake = float("-inf")
            if wanted:
                self.wake_outbox()

    def close(self) -> None:  # noqa: B027  (most adapters hold nothing to release)
        """Release broker connections."""
