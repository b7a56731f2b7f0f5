"""Usage events (search, view, download, upload, publish) and their hourly and daily aggregates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, JSONType, UTCDateTime

EVENT_KINDS = ("search", "view", "download", "upload", "publish")


class UsageEvent(Base):
    """One event; the visitor is a daily-salted keyed hash, never an address."""

    __tablename__ = "usage_events"
    __table_args__ = (Index("ix_usage_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    resource_id: Mapped[str | None] = mapped_column(String(36))
    file_name: Mapped[str | None] = mapped_column(String(500))
    stage: Mapped[str | None] = mapped_column(String(16))
    subjects: Mapped[list] = mapped_column(JSONType, default=list)
    grades: Mapped[list] = mapped_column(JSONType, default=list)
    type: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(200))
    org: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(12))
    visitor_org: Mapped[str | None] = mapped_column(String(64))
    visitor_region: Mapped[str | None] = mapped_column(String(12))
    visitor_key: Mapped[str] = mapped_column(String(64))


class UsageDaily(Base):
    """One day's events per visitor and resource; `count` of downloads is of distinct files."""

    __tablename__ = "usage_daily"
    __table_args__ = (
        Index("ix_usage_daily_kind_day", "kind", "day"),
        # Scoped and single-organisation questions read this table by organisation.
        Index("ix_usage_daily_visitor_org_day", "visitor_org", "day"),
        Index("ix_usage_daily_org_day", "org", "day"),
        Index("ix_usage_daily_day", "day"),  # a refresh replaces whole days
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    visitor_key: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # A record with several subjects or grades counts under its first (the one it is filed under).
    stage: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(200))
    org: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(12))
    visitor_org: Mapped[str | None] = mapped_column(String(64))
    visitor_region: Mapped[str | None] = mapped_column(String(12))
    count: Mapped[int] = mapped_column(Integer)


class UsageRollup(Base):
    """One day's count and distinct visitors per kind, dimension value and (at most one) filter.

    `by` is `all` (the day's total; `key` empty), or a dimension of `/stats/usage`; `given` is
    empty or the filter applied, `given_key` its value. Besides the five kinds, `use` (search,
    view, download), `contribute` (upload, publish) and `any` count visitors across kinds."""

    __tablename__ = "usage_rollup"
    __table_args__ = (
        # Covering on PostgreSQL: an answer is one range of the index, read without the table.
        Index(
            "ix_usage_rollup_lookup",
            "kind",
            "given",
            "given_key",
            "by",
            "day",
            postgresql_include=["key", "count", "visitors"],
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    given: Mapped[str] = mapped_column(String(16))
    given_key: Mapped[str] = mapped_column(String(200))
    by: Mapped[str] = mapped_column(String(16))
    key: Mapped[str | None] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)
    visitors: Mapped[int] = mapped_column(Integer)


class UsageHourly(Base):
    """Events per hour and kind, for the usage-over-time chart."""

    __tablename__ = "usage_hourly"

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class UsageWatermark(Base):
    """How far the aggregates have read the events (`daily`: the highest event id folded in); also
    the refresh's generation (`generation`, raised by each refresh) and distinct works (`works`)."""

    __tablename__ = "usage_watermark"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger)


class CoverageCount(Base):
    """Published records per stage, subject, grade, edition and volume, local or national."""

    __tablename__ = "coverage_counts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(16))  # local | national
    stage: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(16))
    edition: Mapped[str | None] = mapped_column(String(32))
    volume: Mapped[str | None] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)


class CatalogueCount(Base):
    """Published records per organisation, county, source and owner, with their files' number and
    bytes: the overview and the counties read this small table the refresh keeps."""

    __tablename__ = "catalogue_counts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer, index=True)
    region: Mapped[str | None] = mapped_column(String(12))
    source_id: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)
    files: Mapped[int] = mapped_column(BigInteger)
    bytes: Mapped[int] = mapped_column(BigInteger)
