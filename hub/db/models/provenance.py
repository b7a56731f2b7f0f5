"""Provenance and works: the further paths by which a harvested record reached this hub, and
what a person decided about two records suspected to be one work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, JSONType, UTCDateTime, utcnow

DECISIONS = ("apart", "merged")


class ResourcePath(Base):
    """One more source that delivers a record first delivered by another (its `source_id`).

    The record's own (source, external id) is its first path; a path here is removed when its
    source withdraws the record, and the record stays while any path still has it."""

    __tablename__ = "resource_paths"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_resource_paths_source_external"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str] = mapped_column(String(500))
    origin_url: Mapped[str | None] = mapped_column(String(2000))
    via: Mapped[list] = mapped_column(JSONType, default=list)  # hubs before the source, in order
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkDecision(Base):
    """A person's decision on a pair of suspected duplicates: kept apart, or merged into one work
    (with the work the second record had before, so the merge can be undone)."""

    __tablename__ = "work_decisions"
    __table_args__ = (UniqueConstraint("first_id", "second_id", name="uq_work_decisions_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_id: Mapped[str] = mapped_column(String(36), index=True)  # the smaller id of the pair
    second_id: Mapped[str] = mapped_column(String(36), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    previous_work_id: Mapped[str | None] = mapped_column(String(36))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
