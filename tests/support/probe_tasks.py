"""A task for broker tests: appends its token to a file, so every execution can be counted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from celery import Task

from config import Config
from hub.tasks.celery import CeleryTaskQueue
from hub.tasks.embedded import config_env
from workers.app import celery

ROOT = Path(__file__).resolve().parents[2]

NAME = "tests.probe.record"


@celery.task(name=NAME, base=Task)  # a plain Task: no Flask app, no database
def record(path: str, token: str) -> None:
    # O_APPEND writes of one short line are atomic, whichever worker thread writes.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{token}\n".encode())
    finally:
        os.close(fd)


def produce(config: Config, path: str, producer: int, count: int) -> None:
    """One producer process: its own Celery client on the hub's broker, `count` probe tasks."""
    client = CeleryTaskQueue(config).client
    for n in range(count):
        client.send_task(NAME, args=(path, f"{producer}-{n}"), retry=False)
    client.close()


def start_probe_worker(config: Config, log) -> subprocess.Popen:
    """A real Celery worker (2 threads, as `eduhub serve` runs it) that knows the probe task."""
    env = config_env(config)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "celery", "-A", "workers.app", "worker"]
    command += ["--include", __name__, "--pool", "threads", "-c", "2"]
    command += ["--without-mingle", "--without-gossip", "--loglevel", "WARNING"]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
