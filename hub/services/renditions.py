"""Renditions for watching and reading in the page: the 360p MP4 of every video (ffmpeg) and the
PDF of every office file (LibreOffice), made by a worker and stored as objects beside the previews.

They are not resource files: not listed, not in the search index, not in bundles. One attempt per
source SHA-256, recorded like a preview's ("failed-<reason>" when a sandbox limit stopped it), so a
hostile file is never retried. The outbox only hands the work to a worker task (`handle_rendition`):
a transcode takes minutes, and the outbox pass that indexes new resources must not wait for it.
A task the broker lost, a worker killed mid-transcode, and files stored before renditions existed
are caught by `sweep` (beat, every ten minutes): files of a kind that gets a rendition and have no
row yet are sent again.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from hub import sandbox
from hub.db.models import Preview, Rendition, ResourceFile
from hub.errors import NotFound
from hub.services import office_render, video_render
from hub.services.files import Download, download_of
from hub.services.video_render import MediaLimits
from hub.tasks.base import Task

log = logging.getLogger(__name__)

FAILED = "failed-"
LOW = "low"  # the 360p MP4 of a video
PDF = "pdf"  # the PDF of an office file
OFFICE_TIMEOUT = 180  # seconds: every page, not just the first as for a preview
NO_RENDITION = (
    "该文件暂无在线播放或阅读版本；请下载后查看。"
    "This file has no version for the page (yet): download it to view it."
)


def wants(mimetype: str | None) -> str | None:
    """Which rendition a file of this type gets: LOW, PDF or None (audio plays as it is)."""
    mimetype = (mimetype or "").lower()
    if mimetype.startswith("video/"):
        return LOW
    if mimetype in office_render.FORMATS:
        return PDF
    return None


class RenditionService:
    """Makes renditions (in the worker) and opens them for a reader who may read the resource."""

    def __init__(self, db, storage, resources, limits: MediaLimits | None = None):
        self.db, self.storage, self.resources = db, storage, resources
        self.limits = limits or MediaLimits()

    def make(self, sha256: str, mimetype: str | None) -> bool:
        """Make and store one file's rendition unless tried before; True if tried now."""
        kind = wants(mimetype)
        with self.db.session() as session:
            if kind is None or session.get(Rendition, sha256) is not None:
                return False
        row = Rendition(sha256=sha256, kind="none", size=0)
        if self.storage.exists(sha256) and self._can(kind):
            try:
                self._render(row, sha256, kind, mimetype)
            except Exception as exc:  # hostile or broken files are expected: record, never retry
                if isinstance(exc, sandbox.LimitExceeded):
                    row.kind, row.failure = FAILED + exc.reason, str(exc)[:300]
                log.warning("no rendition of %s (%s): %s: %s", sha256, mimetype, type(exc), exc)
        with self.db.session() as session:
            if session.get(Rendition, sha256) is None:
                session.add(row)
                session.commit()
        return True

    def missing(self, limit: int = 50) -> list[tuple[str, str]]:
        """(sha256, mimetype) of stored files that should have a rendition and have no row: never
        tried (stored before renditions existed) or whose task was lost."""
        office = list(office_render.FORMATS)
        wanted = ResourceFile.mimetype.like("video/%") | ResourceFile.mimetype.in_(office)
        query = (
            select(ResourceFile.sha256, func.min(ResourceFile.mimetype))
            .outerjoin(Rendition, Rendition.sha256 == ResourceFile.sha256)
            .where(wanted, Rendition.sha256.is_(None))
            .group_by(ResourceFile.sha256)
            .limit(limit)
        )
        with self.db.session() as session:
            return [(sha, mimetype) for sha, mimetype in session.execute(query)]

    def sweep(self, tasks, limit: int = 50) -> int:
        """Send a worker task for each file `missing` finds; returns how many were sent."""
        found = self.missing(limit)
        for sha256, mimetype in found:
            tasks.send(Task.MAKE_RENDITION, sha256, mimetype)
        return len(found)

    @staticmethod
    def _can(kind: str) -> bool:
        found = video_render.available() if kind == LOW else office_render.soffice() is not None
        if not found:
            log.info("no %s renditions: ffmpeg or LibreOffice is not installed", kind)
        return found

    def _render(self, row: Rendition, sha256: str, kind: str, mimetype: str | None) -> None:
        with (
            self._source(sha256) as source,
            tempfile.TemporaryDirectory(prefix="eduhub-rendition-", dir=self._tmp_dir()) as tmp,
        ):
            if kind == LOW:
                out, row.mimetype = self._video(source, Path(tmp)), "video/mp4"
            else:
                out, row.mimetype = self._office(source, mimetype, Path(tmp)), "application/pdf"
            with out.open("rb") as stream:
                staged = self.storage.stage(stream, max_bytes=out.stat().st_size)
            self.storage.commit(staged, row.mimetype)
            row.rendition_sha256, row.size, row.kind = staged.sha256, staged.size, kind

    def _video(self, source: Path, tmp: Path) -> Path:
        found = video_render.probe(source, self.limits)
        return video_render.low_rendition(source, tmp / "low.mp4", found, self.limits)

    @staticmethod
    def _office(source: Path, mimetype: str, tmp: Path) -> Path:
        # LibreOffice trusts the extension, and its own unzipping is limited only by memory
        copy = tmp / ("source" + office_render.FORMATS[mimetype][0])
        shutil.copyfile(source, copy)
        sandbox.call("hub.sandbox:check_zip", str(copy))
        return office_render.to_pdf(copy, mimetype, tmp, timeout=OFFICE_TIMEOUT)

    @contextmanager
    def _source(self, sha256: str) -> Iterator[Path]:
        """The stored file as a path: the object itself on local storage, else a temp copy."""
        local = self.storage.local_path(sha256)
        if local is not None:
            yield Path(local)
            return
        with tempfile.NamedTemporaryFile(prefix="eduhub-src-", dir=self._tmp_dir()) as tmp:
            with self.storage.open(sha256) as stream:
                shutil.copyfileobj(stream, tmp, 1 << 20)
            tmp.flush()
            yield Path(tmp.name)

    def _tmp_dir(self) -> str | None:
        tmp = getattr(self.storage, "tmp_dir", None)
        if tmp is None:
            return None
        Path(tmp).mkdir(parents=True, exist_ok=True)
        return str(tmp)

    # -- reading ----------------------------------------------------------------------------------

    def open(self, actor, resource_id: str, name: str, which: str) -> Download:
        """The rendition ("rendition") or poster ("poster") of one file of a resource the actor
        may read; NotFound when it has none (yet)."""
        with self.db.session() as session:
            resource = self.resources.load_readable(session, actor, resource_id)
            found = next((f for f in resource.files if f.name == name), None)
            if found is None:
                raise NotFound(
                    f"该资源没有名为 {name} 的文件。This resource has no file named {name}."
                )
            public = resource.status == "published" and resource.visibility == "public"
            made = _made(session, found.sha256, which)
        if made is None:
            raise NotFound(NO_RENDITION)
        sha256, mimetype, suffix = made
        stem = name.rsplit(".", 1)[0]
        return download_of(self.storage, stem + suffix, None, sha256, mimetype, public)

    def of_files(self, sha256s: list[str]) -> dict[str, dict]:
        """source SHA-256 -> {"rendition": kind or None, "failed": bool, "poster": bool}, for the
        page ("failed": a limit stopped the rendition, so it will never come)."""
        if not sha256s:
            return {}
        with self.db.session() as session:
            made = session.execute(
                select(Rendition.sha256, Rendition.kind).where(Rendition.sha256.in_(sha256s))
            ).all()
            posters = session.scalars(
                select(Preview.sha256).where(
                    Preview.sha256.in_(sha256s), Preview.preview_sha256.is_not(None)
                )
            ).all()
        kinds, posters = dict(made), set(posters)
        return {s: _shown(kinds.get(s), s in posters) for s in sha256s}


def _shown(kind: str | None, poster: bool) -> dict:
    failed = bool(kind and kind.startswith(FAILED))
    made = kind if kind in (LOW, PDF) else None
    return {"rendition": made, "failed": failed, "poster": poster}


def _made(session, sha256: str, which: str) -> tuple[str, str, str] | None:
    """(stored SHA-256, mimetype, file-name suffix) of a file's rendition or poster."""
    if which == "poster":
        preview = session.get(Preview, sha256)
        if preview is None or preview.preview_sha256 is None:
            return None
        return preview.preview_sha256, "image/png", ".png"
    row = session.get(Rendition, sha256)
    if row is None or row.rendition_sha256 is None:
        return None
    return row.rendition_sha256, row.mimetype, ".360p.mp4" if row.kind == LOW else ".pdf"


def handle_rendition(tasks, payload: dict) -> None:
    """The outbox's part: hand the file to a worker task (see the module docstring)."""
    if payload.get("sha256") and wants(payload.get("mimetype")):
        tasks.send(Task.MAKE_RENDITION, payload["sha256"], payload.get("mimetype"))
