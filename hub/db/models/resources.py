"""Resources (the canonical record), their files, and the content-addressed blobs behind them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db.base import Base, JSONType, UTCDateTime, new_id, utcnow
from hub.db.models.provenance import ResourcePath

STATUSES = ("draft", "submitted", "published", "rejected", "withdrawn")
VISIBILITIES = ("public", "region", "org")


class Resource(Base):
    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_resources_source_external"),
        Index("ix_resources_org_status", "org_id", "status"),
        # Related resources look up the same chapter (hub.services.related).
        Index("ix_resources_chapter", "chapter"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # All versions of one resource share a lineage (the id of the first version).
    lineage_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("resources.id"))
    is_latest: Mapped[bool] = mapped_column(default=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)

    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16), default="zh")
    stage: Mapped[str | None] = mapped_column(String(16))
    subjects: Mapped[list] = mapped_column(JSONType, default=list)
    grades: Mapped[list] = mapped_column(JSONType, default=list)
    # Vocational and higher-education records name majors instead of grades and subjects.
    majors: Mapped[list] = mapped_column(JSONType, default=list, server_default="[]")
    edition: Mapped[str | None] = mapped_column(String(32))
    volume: Mapped[str | None] = mapped_column(String(16))
    chapter: Mapped[str | None] = mapped_column(String(500))
    type: Mapped[str | None] = mapped_column(String(32))
    themes: Mapped[list] = mapped_column(JSONType, default=list)
    keywords: Mapped[list] = mapped_column(JSONType, default=list)
    license: Mapped[str | None] = mapped_column(String(32))
    creators: Mapped[list] = mapped_column(JSONType, default=list)
    region: Mapped[str | None] = mapped_column(String(12), index=True)
    visibility: Mapped[str] = mapped_column(String(8), default="public")

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(Integer, index=True)
    external_id: Mapped[str | None] = mapped_column(String(500))
    origin_url: Mapped[str | None] = mapped_column(String(2000))
    # What a harvested record's source said of it beyond the canonical fields (tag ids and paths,
    # file links).
    provenance: Mapped[dict] = mapped_column(JSONType, default=dict)
    # `kind:id` of the first origin (metadata.provenance): one record however many paths bring it.
    origin_key: Mapped[str | None] = mapped_column(String(600), index=True)
    # The work this record is one copy of (the id of its lead record; None: a work of its own),
    # and the SHA-256 of its sorted file hashes, which links exact duplicates (hub.services.works).
    work_id: Mapped[str | None] = mapped_column(String(36), index=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)

    review_comment: Mapped[str | None] = mapped_column(Text)
    downloads: Mapped[int] = mapped_column(BigInteger, default=0)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org = relationship("Organisation", lazy="joined")
    files: Mapped[list[ResourceFile]] = relationship(
        back_populates="resource",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="ResourceFile.position",
    )
    paths: Mapped[list[ResourcePath]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ResourcePath.id"
    )


class Blob(Base):
    """One stored object, addressed by the SHA-256 of its bytes."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mimetype: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ResourceFile(Base):
    __tablename__ = "resource_files"
    __table_args__ = (UniqueConstraint("resource_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mimetype: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resource: Mapped[Resource] = relationship(back_populates="files")
