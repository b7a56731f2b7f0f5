"""A hub for service unit tests: SQLite in the test's directory, memory storage and memory search.

The schema is created once per session and copied for each test, so a test starts in milliseconds.
Commits that wrote outbox messages are recorded in `hub.wakeups` (each one, undebounced).
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine

from config import Config
from hub.bootstrap import bootstrap
from hub.db import Base
from hub.tasks.memory import MemoryTaskQueue


class RecordingQueue(MemoryTaskQueue):
    """Records every wake of the outbox worker, without the once-a-second debounce."""

    def __init__(self) -> None:
        super().__init__()
        self.wakes: list[int] = []

    def wake_outbox(self) -> None:
        self.wakes.append(1)


@pytest.fixture(scope="session")
def schema_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "hub.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture
def hub(tmp_path, schema_file):
    shutil.copy(schema_file, tmp_path / "hub.db")
    config = Config.from_env(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'hub.db'}",
        storage_url="memory://",
        search_url="memory://",
        broker_url="memory://",
        secret_key="unit-test-secret",
        testing=True,
    )
    hub = bootstrap(config)
    hub.tasks = RecordingQueue()
    hub.wakeups = hub.tasks.wakes
    yield hub
    hub.close()
