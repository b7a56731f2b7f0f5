"""Declarative base, portable column types and the engine/session factory."""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson
from sqlalchemy import JSON, DateTime, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator

from hub.datadir import private_file

# JSONB on PostgreSQL, JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every engine (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A time-ordered UUID (version 7 layout) as a string: sortable and safe to expose."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (
        (ms & ((1 << 48) - 1)) << 80
        | (0x7 << 76)
        | ((rand >> 62) & 0xFFF) << 64
        | (0b10 << 62)
        | (rand & ((1 << 62) - 1))
    )
    return str(uuid.UUID(int=value))


# One encoder for every JSON column: `json.dumps` with options builds a new one per value (a harvest
# writes nine JSON values a record).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _dumps(value) -> str:
    return _ENCODER.encode(value)


def _loads(text: str | bytes):
    """orjson reads the JSON columns (a page of search hits reads 140 of them) in a sixth of the
    standard parser's time, to the same values; what it refuses (NaN, integers over 64 bits,
    which `_dumps` may write) the standard parser reads, as before."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class Database:
    """One engine and session factory per application."""

    def __init__(self, url: str, echo: bool = False):
        self.url = url
        kwargs: dict = {
            "json_serializer": _dumps,
            "json_deserializer": _loads,
            "future": True,
            "echo": echo,
        }
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
            _private_sqlite_file(url)
        else:
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10)
        self.engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self):
        return self.sessionmaker()

    def dispose(self) -> None:
        self.engine.dispose()


def _private_sqlite_file(url: str) -> None:
    """Create the database file 0600 before SQLite does (SQLite gives its -wal and -shm files the
    database file's mode): it holds password hashes, tokens and private records."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    if not Path(database).parent.is_dir():
        return  # no directory, no database: SQLite says so on connecting (and /readyz reports it)
    private_file(database)


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
