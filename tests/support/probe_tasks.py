"""A task for broker tests: appends its token to a file, so every execution can be counted."""

from __future__ import annotations

import os

from celery import Task

from workers.app import celery

NAME = "tests.probe.record"


@celery.task(name=NAME, base=Task)  # a plain Task: no Flask app, no database
def record(path: str, token: str) -> None:
    # O_APPEND writes of one short line are atomic, whichever worker thread writes.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{token}\n".encode())
    finally:
        os.close(fd)
