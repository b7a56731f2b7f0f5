"""The embedded worker: `eduhub serve` runs `eduhub worker --beat` beside the web processes and
starts it again, after a back-off, whenever it dies."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from config import Config

log = logging.getLogger(__name__)

FIRST_DELAY = 1.0  # seconds before the first restart; doubles on each quick death
MAX_DELAY = 60.0
STEADY = 60.0  # a worker that ran this long was healthy: the next restart is quick again
POLL = 0.5


def config_env(config: Config) -> dict[str, str]:
    """The environment that makes a child process see the same hub as `config`."""
    env = dict(os.environ)
    env.update(
        EDUHUB_DATA_DIR=str(config.data_dir),
        EDUHUB_DATABASE_URL=config.database_url,
        EDUHUB_STORAGE_URL=config.storage_url,
        EDUHUB_SEARCH_URL=config.search_url,
        EDUHUB_BROKER_URL=config.broker_url,
        EDUHUB_SECRET_KEY=config.secret_key,
        EDUHUB_MAX_UPLOAD_MB=str(config.max_upload_mb),
    )
    return env


def worker_command(*, beat: bool = True, concurrency: int = 2) -> list[str]:
    cmd = [sys.executable, "-c", "from hub.cli import main; main()", "worker"]
    cmd += ["--concurrency", str(concurrency), "--pool", "threads"]
    return cmd + (["--beat"] if beat else [])


def stop_worker(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # warm shutdown: running tasks finish their batch
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class WorkerSupervisor:
    """Keeps one worker process running: started now, restarted with a back-off when it exits."""

    def __init__(self, config: Config, *, beat: bool = True, concurrency: int = 2, **popen):
        self.command = worker_command(beat=beat, concurrency=concurrency)
        self.env = config_env(config)
        self.popen = popen  # e.g. cwd, stdout, stderr for tests
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="eduhub-supervisor", daemon=True)

    def start(self) -> WorkerSupervisor:
        self.process = self._spawn()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.process is not None:
            stop_worker(self.process)

    def _spawn(self) -> subprocess.Popen:
        return subprocess.Popen(self.command, env=self.env, **self.popen)

    def _watch(self) -> None:
        delay, started = FIRST_DELAY, time.monotonic()
        while not self._stopping.wait(POLL):
            code = self.process.poll()
            if code is None:
                continue
            delay = FIRST_DELAY if time.monotonic() - started > STEADY else delay
            # gunicorn's master collects every child, ours too: the code then reads 0.
            how = f" with code {code}" if code else ""
            log.warning(
                "the embedded worker (pid %s) exited%s; restarting in %.0f s",
                self.process.pid,
                how,
                delay,
            )
            if self._stopping.wait(delay):
                return
            self.process, started = self._spawn(), time.monotonic()
            self.restarts += 1
            log.warning("restarted the embedded worker as pid %s", self.process.pid)
            delay = min(delay * 2, MAX_DELAY)
