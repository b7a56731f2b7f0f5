"""Text extracted from stored files, keyed by the file's SHA-256 (same bytes, one extraction)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UTCDateTime, utcnow


class FileText(Base):
    """A resource's searchable text is the text of its files: join ResourceFile.sha256 to this."""

    __tablename__ = "file_texts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    extracted: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "size: ZIP unpacks to 2048 MB (limit 512)" when a sandbox limit stopped the extraction
    failure: Mapped[str | None] = mapped_column(String(300), nullable=True)
