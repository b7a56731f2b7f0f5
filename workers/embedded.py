"""`eduhub serve` on the embedded broker: a real worker process beside the web server."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys

from config import Config


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
    cmd = [
        sys.executable,
        "-c",
        "from hub.cli import main; main()",
        "worker",
        "--concurrency",
        str(concurrency),
        "--pool",
        "threads",
    ]
    return cmd + (["--beat"] if beat else [])


def start_embedded_worker(
    config: Config, *, beat: bool = True, concurrency: int = 2
) -> subprocess.Popen:
    """Start `eduhub worker --beat` as a child process; it is stopped when this process exits."""
    process = subprocess.Popen(
        worker_command(beat=beat, concurrency=concurrency), env=config_env(config)
    )
    atexit.register(stop_worker, process)
    return process


def stop_worker(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # warm shutdown: running tasks finish their batch
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
