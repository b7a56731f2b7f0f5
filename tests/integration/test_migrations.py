"""Migrations: an empty database upgraded to head has exactly the models' schema, on SQLite and
PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool

from hub.db import Base, migrate


def _schema_diffs(database_url: str) -> list:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def _tables(database_url: str) -> set[str]:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrading_an_empty_database_gives_exactly_the_models_schema(database_url):
    assert migrate.current(database_url) is None

    migrate.upgrade(database_url)

    assert _schema_diffs(database_url) == []
    assert migrate.current(database_url) == migrate.head()
    assert migrate.is_up_to_date(database_url)


def test_upgrading_twice_changes_nothing(database_url):
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)

    assert migrate.is_up_to_date(database_url)
    assert _schema_diffs(database_url) == []


def test_a_database_made_with_create_all_is_stamped_at_head_not_recreated(database_url):
    engine = create_engine(database_url, poolclass=pool.NullPool)
    Base.metadata.create_all(engine)
    engine.dispose()

    assert migrate.upgrade(database_url) == migrate.head()
    assert _schema_diffs(database_url) == []


def test_downgrading_to_base_removes_every_table(database_url):
    migrate.upgrade(database_url)

    command.downgrade(migrate.alembic_config(database_url), "base")

    assert _tables(database_url) == {"alembic_version"}
    assert migrate.current(database_url) is None
