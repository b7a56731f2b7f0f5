"""Preview images of stored files, keyed by the source file's SHA-256 (same bytes, one render)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UTCDateTime, utcnow


class Preview(Base):
    """A row with no `preview_sha256` records a file that was tried and has no preview (skipped,
    broken, or stopped by a sandbox limit: kind `failed-<reason>`)."""

    __tablename__ = "previews"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    preview_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    mimetype: Mapped[str | None] = mapped_column(String(255), nullable=True)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(
        String(16), default="none"
    )  # pdf, image, slide, document, pptx, none
    made: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # kind "failed-<reason>": what the sandbox said, e.g. "ZIP unpacks to 2048 MB (limit 512)"
    failure: Mapped[str | None] = mapped_column(String(300), nullable=True)
