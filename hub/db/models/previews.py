"""Preview images of stored files, keyed by the source file's SHA-256 (same bytes, one render)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
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


class Rendition(Base):
    """A form of a stored file made for the page: the 360p MP4 of a video ("low"), or the PDF of
    an office file ("pdf"). Like a preview, one attempt per source; a row with no
    `rendition_sha256` records a file that has none (kind "none" or "failed-<reason>")."""

    __tablename__ = "renditions"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    rendition_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    mimetype: Mapped[str | None] = mapped_column(String(255), nullable=True)  # the rendition's
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    kind: Mapped[str] = mapped_column(String(16), default="none")  # low, pdf, none, failed-...
    made: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    failure: Mapped[str | None] = mapped_column(String(300), nullable=True)
