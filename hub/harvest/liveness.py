"""Who runs a sync, and whether its worker is gone (SIGKILL, power cut) so the run is released."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from hub.db.base import utcnow
from hub.db.models.sources import SyncRun

STALE_AFTER = timedelta(minutes=10)  # no heartbeat for this long: the worker is gone


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def is_abandoned(run: SyncRun, now=None) -> bool:
    """True when the run's worker is a dead process on this host, or has been silent too long."""
    if run.worker:
        host, _, pid = run.worker.rpartition(":")
        if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
            return True
    last = run.heartbeat or run.created
    return last is not None and (now or utcnow()) - last > STALE_AFTER


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
