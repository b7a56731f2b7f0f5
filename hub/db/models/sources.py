"""Harvest sources, their sync runs, and the records a run could not take in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db.base import Base, JSONType, UTCDateTime, utcnow

RUN_STATUSES = ("queued", "running", "succeeded", "partial", "failed")
ACTIVE_STATUSES = ("queued", "running")
COUNTS = ("created", "updated", "deleted", "unchanged", "failed")


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(2000))
    set_spec: Mapped[str | None] = mapped_column(String(200))
    metadata_prefix: Mapped[str | None] = mapped_column(String(64))
    schedule: Mapped[str | None] = mapped_column(String(100))  # five-field cron, UTC
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    review: Mapped[bool] = mapped_column(
        Boolean, default=False
    )  # submit for review instead of publishing
    fetch_files: Mapped[bool] = mapped_column(Boolean, default=False)
    max_file_mb: Mapped[int] = mapped_column(Integer, default=512)
    # deferred: connector settings can be large and run listings never need them
    options: Mapped[dict] = mapped_column(JSONType, default=dict, deferred=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The operator's word that this source is on the hub's own network (loopback, private).
    allow_private_host: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The connector's opaque cursor: everything up to it is committed here.
    cursor: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org = relationship("Organisation", lazy="joined")


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    # Equals source_id while the run is queued or running, NULL after: the unique index is the
    # "one sync of a source at a time" guard on every engine (NULLs never collide).
    active_source_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(
        String(200)
    )  # "host:pid" running it, to spot a killed worker
    cursor_start: Mapped[str | None] = mapped_column(Text)
    cursor_end: Mapped[str | None] = mapped_column(Text)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    deleted_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list] = mapped_column(JSONType, default=list)

    source: Mapped[Source] = relationship(lazy="joined")

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, f"{name}_count") or 0 for name in COUNTS}


class SyncFailure(Base):
    __tablename__ = "sync_failures"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(Integer, index=True)
    external_id: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict | list | str | None] = mapped_column(JSONType)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SourceBlob(Base):
    """Bytes a source delivered itself: only that source may name them by hash unsent."""

    __tablename__ = "source_blobs"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
