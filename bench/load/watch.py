"""What the run watches besides Locust: the memory of every process of the stack over time (is it
flat?), and the fault round (kill a worker, restart PostgreSQL, Swift down for a minute, the
embedded store's disk full for a minute)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from stack import Stack, common  # common: bench/common.py, which stack.py puts on sys.path

from tests.support import disk  # the repository is on sys.path (stack.py)

OUTAGE_SECONDS = 60


class MemoryWatch:
    """PSS of each process tree of the stack (a web master with its workers, each worker, beat)
    every `interval` seconds, keyed by role and pid."""

    def __init__(self, stack: Stack, interval: float = 10):
        self.stack, self.interval = stack, interval
        self.series: dict[str, list[tuple[float, float]]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            now = time.monotonic() - self.started
            for proc in self.stack.procs:
                if proc.popen and proc.popen.poll() is None:
                    pss = tree_pss(proc.popen.pid)
                    key = f"{proc.role}-{proc.popen.pid}"
                    self.series.setdefault(key, []).append((round(now, 1), round(pss / 1e6, 1)))

    def summary(self, tail_seconds: float) -> dict:
        """Per process: first and last PSS, and the slope (MB per 10 minutes) over the last
        `tail_seconds`: near zero when memory is flat."""
        out = {}
        for key, points in self.series.items():
            end = points[-1][0]
            tail = [p for p in points if p[0] >= end - tail_seconds] or points
            out[key] = {
                "first_mb": points[0][1],
                "last_mb": points[-1][1],
                "peak_mb": max(p[1] for p in points),
                "tail_slope_mb_per_10min": round(slope(tail) * 600, 2),
                "samples": len(points),
            }
        return out


def tree_pss(pid: int) -> int:
    """PSS of a process and its descendants, less the renderers (hub.sandbox children, LibreOffice)
    that come and go with each file: their memory is bounded by the sandbox, not a leak."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            cmdline = Path(f"/proc/{current}/cmdline").read_bytes()
        except OSError:
            continue
        if b"hub.sandbox" in cmdline or b"soffice" in cmdline:
            continue
        total += common._memory(current)[1]
        todo.extend(common._children(current))
    return total


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (t, y); 0 for fewer than two points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return sum((t - mean_t) * (y - mean_y) for t, y in points) / var


class FaultRound:
    """Faults at fixed fractions of the run, each logged with its time; the stack recovers by
    itself except where a service manager would restart a process (a killed worker)."""

    def __init__(self, stack: Stack, seconds: float, log: Path):
        self.stack, self.seconds, self.log = stack, seconds, log
        self.events: list[dict] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()

    def __enter__(self) -> FaultRound:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._thread.join()

    def _at(self, fraction: float) -> None:
        time.sleep(max(0.0, self.started + fraction * self.seconds - time.monotonic()))

    def _note(self, what: str) -> None:
        self.events.append({"t": round(time.monotonic() - self.started, 1), "fault": what})

    def _run(self) -> None:
        steps = [
            (0.2, self.kill_worker),
            (0.4, self.restart_postgres),
            (0.6, self.swift_down),
            (0.6, self.disk_full),
        ]
        for fraction, step in steps:
            self._at(fraction)
            try:
                step()
            except Exception as exc:  # a fault that cannot be made is reported, not fatal
                self._note(f"{step.__name__} could not be made: {exc}")

    def kill_worker(self) -> None:
        workers = self.stack.role("worker") or self.stack.role("web")
        victim = workers[0]
        victim.kill(signal.SIGKILL)
        self._note(f"SIGKILL {victim.role} pid {victim.popen.pid}")
        time.sleep(10)  # what systemd's RestartSec would wait
        victim.start()
        self._note(f"{victim.role} restarted as pid {victim.popen.pid}")

    def restart_postgres(self) -> None:
        postgres = self.stack.services.get("postgres")
        if postgres is None:
            return
        postgres.restart()
        self._note("PostgreSQL restarted")

    def swift_down(self) -> None:
        swift = self.stack.services.get("swift")
        if swift is None:
            return
        swift.pause_object_server()
        self._note("Swift object server stopped: writes refused")
        time.sleep(OUTAGE_SECONDS)
        swift.resume_object_server()
        self._note("Swift object server back")

    def disk_full(self) -> None:
        """The embedded store's disk full for a minute, then freed. Only a data directory that is
        a file system of its own (run.py mounts a tmpfs): a shared disk is never filled."""
        data_dir = self.stack.data_dir
        if self.stack.kind != "embedded":
            return
        if not os.path.ismount(data_dir):
            self._note(f"disk_full skipped: {data_dir} is not a mount point of its own")
            return
        filler = disk.fill(data_dir)
        self._note(f"disk full: {filler.stat().st_size >> 20} MiB filler in {data_dir}")
        try:
            time.sleep(OUTAGE_SECONDS)
        finally:
            disk.free(filler)
        self._note("disk freed")
