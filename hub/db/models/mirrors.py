"""School mirrors: which hub source is a mirror, and the files it still has to fetch at night."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, JSONType, UTCDateTime, utcnow

MIRROR_FILE_STATUSES = ("pending", "failed")  # a fetched file leaves the queue


class Mirror(Base):
    """A `hub` source whose records follow a selection and whose files wait for the window."""

    __tablename__ = "mirrors"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    selection: Mapped[dict] = mapped_column(JSONType, default=dict)  # search filters
    window: Mapped[str | None] = mapped_column(String(11))  # "22:00-06:00"; None: any hour
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    rate: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes per second; 0: no cap
    # One filler at a time: the worker holding the lease, and until when it holds it.
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_fill: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class MirrorFile(Base):
    """A parent's file announced for a mirrored record, not yet fetched and verified here."""

    __tablename__ = "mirror_files"
    __table_args__ = (UniqueConstraint("resource_id", "name"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(2000))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    fetched: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes in the staging area
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed verifications
    error: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
