"""Worker liveness: a heartbeat each worker writes and waiting commands read.

On the embedded broker it is a file per worker in the broker folder; on Redis a key that expires.
Celery's own `inspect ping` needs a broadcast the filesystem transport does not have, so it is
only the fallback for AMQP.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path

log = logging.getLogger(__name__)

INTERVAL = 5.0  # seconds between beats
FRESH = 30.0  # a heartbeat older than this belongs to a dead or wedged worker
REDIS_PREFIX = "eduhub:worker-heartbeat:"


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class Heartbeat(ABC):
    @abstractmethod
    def beat(self, name: str) -> None: ...

    @abstractmethod
    def clear(self, name: str) -> None: ...

    @abstractmethod
    def alive(self) -> list[str]:
        """Names of the workers whose heartbeat is fresh."""


class FileHeartbeat(Heartbeat):
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def beat(self, name: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).touch()

    def clear(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)

    def alive(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        now = time.time()
        return sorted(p.name for p in self.folder.iterdir() if now - _mtime(p) < FRESH)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # a worker cleared it between listing and reading
        return 0.0


class RedisHeartbeat(Heartbeat):
    def __init__(self, url: str):
        import redis  # only hubs on a Redis broker need the client

        self.client = redis.Redis.from_url(url, socket_timeout=5)

    def beat(self, name: str) -> None:
        self.client.set(REDIS_PREFIX + name, str(time.time()), ex=int(FRESH))

    def clear(self, name: str) -> None:
        self.client.delete(REDIS_PREFIX + name)

    def alive(self) -> list[str]:
        keys = self.client.scan_iter(match=REDIS_PREFIX + "*")
        return sorted(k.decode().removeprefix(REDIS_PREFIX) for k in keys)


class HeartbeatThread(threading.Thread):
    """Beats every INTERVAL seconds in a worker process until stopped; then clears its beat."""

    def __init__(self, heartbeat: Heartbeat, name: str | None = None):
        super().__init__(name="eduhub-heartbeat", daemon=True)
        self.heartbeat = heartbeat
        self.worker = name or worker_name()
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.heartbeat.beat(self.worker)
            except Exception:  # a broker hiccup must not end the heartbeat for good
                log.warning("could not write the worker heartbeat", exc_info=True)
            self._stopped.wait(INTERVAL)

    def stop(self) -> None:
        self._stopped.set()
        try:
            self.heartbeat.clear(self.worker)
        except Exception:  # shutting down anyway; the beat expires on its own
            pass
