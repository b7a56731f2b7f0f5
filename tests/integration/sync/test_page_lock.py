"""A sync page takes SQLite's write lock only for its writes: while the page is validated and
applied, a task worker indexing the pages before it can commit (it used to wait for the whole page,
and fell behind the sync)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from hub.db.models import Resource
from hub.harvest import batch
from hub.security.principal import SYSTEM
from tests.support.fake_source import record


def try_a_write(database: str) -> str:
    """What another process gets when it asks for the write lock without waiting."""
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the write lock, now or never
        other.execute("ROLLBACK")
        return "written"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        other.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL locks rows
def test_another_writer_commits_while_a_page_is_applied(hub, make_source, monkeypatch):
    database = hub.db.engine.url.database
    validate, seen = batch.validate_harvested, []

    def validate_and_try(data):
        seen.append(try_a_write(database))
        return validate(data)

    monkeypatch.setattr(batch, "validate_harvested", validate_and_try)
    items = [{"op": "upsert", "id": f"ext-{n}", "record": record(n)} for n in range(3)]
    source_id = make_source(items=items)
    run = hub.sync.run(hub.sync.start(SYSTEM, source_id)["id"])

    assert run["counts"]["created"] == 3
    assert seen == ["written"] * 3
    with hub.uow() as uow:
        stored = uow.session.scalars(select(Resource.external_id)).all()
    assert sorted(stored) == ["ext-0", "ext-1", "ext-2"]
