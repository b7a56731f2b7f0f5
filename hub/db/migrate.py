"""Schema migrations (Alembic) driven from code: no alembic.ini is needed by an installed hub."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool
from sqlalchemy.engine import make_url

from hub.db import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
log = logging.getLogger(__name__)


def alembic_config(database_url: str) -> AlembicConfig:
    """An Alembic configuration built in code; the URL travels in `attributes` (ini files mangle
    '%')."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    cfg.attributes["database_url"] = database_url
    return cfg


def head() -> str:
    """The newest revision shipped with this version of the hub."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current(database_url: str) -> str | None:
    """The revision the database is at, or None for an empty (or never migrated) database."""
    if _sqlite_file_missing(database_url):
        return None  # connecting would create the file (or fail for want of its directory)
    engine = _engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def is_up_to_date(database_url: str) -> bool:
    return current(database_url) == head()


def upgrade(database_url: str, revision: str = "head") -> str | None:
    """Apply pending migrations; returns the revision reached."""
    _ensure_sqlite_dir(database_url)
    cfg = alembic_config(database_url)
    if _created_without_migrations(database_url):
        # Tables made by `create_all` (tests, early installs) already match head: record that, don't
        # recreate.
        log.warning("database has the hub's tables but no migration record; stamping it at head")
        command.stamp(cfg, "head")
    else:
        command.upgrade(cfg, revision)
    return current(database_url)


def autogenerate(database_url: str, message: str) -> str:
    """Write a new revision with the difference between the models and a database at head."""
    upgrade(database_url)
    script = command.revision(alembic_config(database_url), message=message, autogenerate=True)
    return script.path if not isinstance(script, list) else script[0].path


def _created_without_migrations(database_url: str) -> bool:

    engine = _engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    return "alembic_version" not in tables and set(Base.metadata.tables) <= tables


def _engine(database_url: str):
    return create_engine(database_url, poolclass=pool.NullPool)


def _sqlite_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def _sqlite_file_missing(database_url: str) -> bool:
    path = _sqlite_path(database_url)
    return path is not None and not path.exists()


def _ensure_sqlite_dir(database_url: str) -> None:
    path = _sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
