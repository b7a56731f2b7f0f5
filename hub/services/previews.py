"""Preview images of stored files, made by the worker: the first page of a PDF (pdftoppm), images
(Pillow), the first slide or page of office files (LibreOffice, see office_render; without it, the
first picture of a PPTX), a frame of a video (ffmpeg, see video_render: the player's poster).
Stored like any other object; one attempt per source SHA-256.

Files come from anyone: every step runs in the sandbox (hub/sandbox.py) on a temp copy, with CPU,
memory, time, uncompressed-size and pixel limits. A file that cannot be rendered ends with a "none"
row, one stopped by a limit with a "failed-<reason>" row, and a warning -- never an exception the
outbox would retry.
"""

from __future__ import annotations

import base64
import logging
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import select

from hub import sandbox
from hub.db.models import Preview, ResourceFile
from hub.errors import PreviewFailed
from hub.services import office_render, video_render
from hub.services.preview_images import MAX_SOURCE, SIZE, Rendered

log = logging.getLogger(__name__)

MAX_VIDEO = 4 * 1024 * 1024 * 1024  # a video is only probed and seeked into, never read whole
PDFTOPPM_TIMEOUT = 20  # seconds
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ZIPPED = {PPTX, *(m for m in office_render.FORMATS if "openxml" in m or "opendocument" in m)}
FAILED = "failed-"  # kind prefix of a file stopped by a sandbox limit: failed-cpu, failed-size, ...
# Why a preview failed, in a teacher's words: the sandbox's reason (failed-<reason>) decides.
TOO_BIG = (
    "文件解压后过大，无法预览；请下载后查看。"
    "This file unpacks to too much data to preview: download it to view it."
)
TOO_SLOW = (
    "文件过于复杂，生成预览用时过长；请下载后查看。"
    "This file is too complex to preview in time: download it to view it."
)
TOO_MUCH = (
    "文件过大或过于复杂，无法预览；请下载后查看。"
    "This file is too large or too complex to preview: download it to view it."
)
FAILURE_MESSAGES = {"size": TOO_BIG, "time": TOO_SLOW, "cpu": TOO_SLOW}
_told_no_libreoffice = False  # say once per process, not once per file


def kind_of(mimetype: str | None) -> str | None:
    mimetype = (mimetype or "").lower()
    if mimetype == "application/pdf":
        return "pdf"
    if mimetype.startswith("image/") and mimetype != "image/svg+xml":  # SVG may carry scripts
        return "image"
    if mimetype in office_render.FORMATS:
        return "office"
    if mimetype.startswith("video/"):
        return "video"
    return None  # audio, spreadsheets, archives: no preview


# -- in the worker: each step in its own sandboxed child -----------------------------------------


def _from_json(found: dict | None) -> Rendered | None:
    if found is None:
        return None
    png = base64.b64decode(found["png"])
    return Rendered(png, int(found["width"]), int(found["height"]), str(found["kind"]))


def _image(path: Path, kind: str) -> Rendered:
    return _from_json(sandbox.call("hub.services.preview_images:image_file", str(path), kind))


def pdf_preview(path: Path) -> Rendered:
    """First page of the PDF at `path` via pdftoppm, with no shell, in the sandbox."""
    with tempfile.TemporaryDirectory(prefix="eduhub-preview-") as tmp:
        copy = Path(tmp) / "source.pdf"
        shutil.copyfile(path, copy)
        size = str(SIZE)
        page = str(Path(tmp) / "page")
        command = ["pdftoppm", "-png", "-f", "1", "-l", "1", "-scale-to", size, str(copy), page]
        sandbox.run(command, cwd=tmp, timeout=PDFTOPPM_TIMEOUT)
        pages = sorted(Path(tmp).glob("page*.png"))
        if not pages:
            raise ValueError("pdftoppm wrote no page")
        return _image(pages[0], "pdf")


def pptx_preview(path: Path) -> Rendered | None:
    return _from_json(sandbox.call("hub.services.preview_images:pptx_picture", str(path)))


def office_preview(path: Path, mimetype: str) -> Rendered | None:
    """The first slide or page as LibreOffice renders it; without LibreOffice, a PPTX's first
    picture. Raises office_render.ConversionFailed when LibreOffice fails, sandbox.LimitExceeded
    when a limit stops it."""
    if office_render.soffice() is None:
        _tell_no_libreoffice()
        return pptx_preview(path) if mimetype == PPTX else None
    if mimetype in ZIPPED:  # LibreOffice's own unzipping is limited only by its memory limit
        sandbox.call("hub.sandbox:check_zip", str(path))
    with tempfile.TemporaryDirectory(prefix="eduhub-office-") as tmp:
        # LibreOffice trusts the extension
        copy = Path(tmp) / ("source" + office_render.FORMATS[mimetype][0])
        shutil.copyfile(path, copy)
        rendered = pdf_preview(office_render.first_page_pdf(copy, mimetype, Path(tmp)))
    rendered.kind = "slide" if mimetype in office_render.SLIDES else "document"
    return rendered


def _tell_no_libreoffice() -> None:
    global _told_no_libreoffice
    if not _told_no_libreoffice:
        _told_no_libreoffice = True
        log.info(
            "slide and document previews need LibreOffice (soffice) on PATH; using the first "
            "picture of a PPTX instead"
        )


def video_preview(path: Path) -> Rendered | None:
    """A frame of the video as the player's poster, once ffprobe found nothing to refuse."""
    if not video_render.available():
        return None
    video_render.probe(path, video_render.MediaLimits())
    with tempfile.TemporaryDirectory(prefix="eduhub-poster-") as tmp:
        return _image(video_render.poster(path, Path(tmp) / "poster.png", SIZE), "video")


def render(path: Path, mimetype: str | None) -> Rendered | None:
    kind = kind_of(mimetype)
    mimetype = (mimetype or "").lower()
    if kind == "pdf":
        return pdf_preview(path)
    if kind == "image":
        return _image(path, "image") if path.stat().st_size <= MAX_SOURCE else None
    if kind == "office":
        return office_preview(path, mimetype)
    if kind == "video":
        return video_preview(path)
    return None


class PreviewService:
    """Renders a stored file's first page as a PNG (in the sandbox); reads stored previews."""

    def __init__(self, db, storage, resources):
        self.db, self.storage, self.resources = db, storage, resources

    def make(self, sha256: str, mimetype: str | None) -> bool:
        """Render and store one stored file's preview unless tried before; True if tried now."""
        with self.db.session() as session:
            if session.get(Preview, sha256) is not None:
                return False
        row = Preview(sha256=sha256, mimetype=(mimetype or "")[:255] or None, kind="none")
        rendered = None
        if kind_of(mimetype) and self.storage.exists(sha256):
            try:
                rendered = self._render_stored(sha256, mimetype)
            except Exception as exc:  # hostile or broken files are expected: record it, never retry
                if isinstance(exc, sandbox.LimitExceeded):
                    row.kind, row.failure = FAILED + exc.reason, str(exc)[:300]
                log.warning(
                    "no preview for %s (%s): %s: %s", sha256, mimetype, type(exc).__name__, exc
                )
        if rendered is not None:
            row.preview_sha256 = self.storage.put_bytes(rendered.png, "image/png")
            row.width, row.height, row.kind = rendered.width, rendered.height, rendered.kind
        with self.db.session() as session:
            if session.get(Preview, sha256) is None:
                session.add(row)
                session.commit()
        return True

    def _render_stored(self, sha256: str, mimetype: str | None) -> Rendered | None:
        """Copy the object to a temp file (capped) and render it there."""
        cap = MAX_VIDEO if kind_of(mimetype) == "video" else MAX_SOURCE
        with tempfile.NamedTemporaryFile(prefix="eduhub-src-", dir=self._tmp_dir()) as tmp:
            with self.storage.open(sha256) as stream:
                copied = 0
                while chunk := stream.read(1 << 20):
                    copied += len(chunk)
                    if copied > cap:
                        log.warning("no preview for %s: larger than %s bytes", sha256, cap)
                        return None
                    tmp.write(chunk)
            tmp.flush()
            return render(Path(tmp.name), mimetype)

    def _tmp_dir(self) -> str | None:
        tmp = getattr(self.storage, "tmp_dir", None)
        if tmp is not None:
            Path(tmp).mkdir(parents=True, exist_ok=True)
            return str(tmp)
        return None

    def of_resource(self, actor, resource_id: str) -> tuple[bytes, Preview, bool] | None:
        """(PNG bytes, its row, public?) of a resource this actor may read; None if it has no
        preview. Raises NotFound/Gone exactly as reading the record does, PreviewFailed when a
        limit stopped the render (the reason in `errors`)."""
        with self.db.session() as session:
            resource = self.resources.load_readable(session, actor, resource_id)
            sha256s = [f.sha256 for f in resource.files]
            preview = preview_of_files(session, sha256s)
            public = resource.status == "published" and resource.visibility == "public"
            if preview is None:
                self._raise_failure(session, sha256s)
                return None
            session.expunge(preview)
        try:
            with self.storage.open(preview.preview_sha256) as stream:
                return stream.read(), preview, public
        except FileNotFoundError:
            return None

    @staticmethod
    def _raise_failure(session, sha256s: list[str]) -> None:
        reason = failure_of_files(session, sha256s)
        if reason is not None:
            errors = [{"field": "preview", "messages": [FAILED + reason]}]
            raise PreviewFailed(failure_message(reason), errors=errors)

    def failure(self, resource_id: str) -> str | None:
        """Why the resource has no preview when a limit stopped it (for a page that read the
        record): size, time, cpu, memory or killed; else None."""
        with self.db.session() as session:
            query = select(ResourceFile.sha256).where(ResourceFile.resource_id == resource_id)
            sha256s = list(session.scalars(query.order_by(ResourceFile.position)))
            if preview_of_files(session, sha256s) is not None:
                return None
            return failure_of_files(session, sha256s)

    def by_resource(self, resource_ids: list[str]) -> dict[str, Preview]:
        """resource id -> the preview of its first file that has one (search hits: one query)."""
        if not resource_ids:
            return {}
        with self.db.session() as session:
            rows = session.execute(
                select(ResourceFile.resource_id, Preview)
                .join(Preview, Preview.sha256 == ResourceFile.sha256)
                .where(
                    ResourceFile.resource_id.in_(list(resource_ids)),
                    Preview.preview_sha256.is_not(None),
                )
                .order_by(ResourceFile.resource_id, ResourceFile.position)
            ).all()
            out: dict[str, Preview] = {}
            for resource_id, preview in rows:
                out.setdefault(resource_id, preview)
            session.expunge_all()
            return out


# -- reading -----------------------------------------------------------------------------------


def preview_of_files(session, sha256s: list[str]) -> Preview | None:
    """The preview of the first of these files (in order) that has one."""
    if not sha256s:
        return None
    rows = {
        p.sha256: p
        for p in session.scalars(
            select(Preview).where(Preview.sha256.in_(sha256s), Preview.preview_sha256.is_not(None))
        )
    }
    return next((rows[s] for s in sha256s if s in rows), None)


def failure_of_files(session, sha256s: list[str]) -> str | None:
    """The reason (size, time, cpu, memory, killed) the first of these files failed, if any did."""
    if not sha256s:
        return None
    query = select(Preview.sha256, Preview.kind).where(
        Preview.sha256.in_(sha256s), Preview.kind.startswith(FAILED)
    )
    failed = dict(session.execute(query).all())
    return next((failed[s].removeprefix(FAILED) for s in sha256s if s in failed), None)


def failure_message(reason: str) -> str:
    return FAILURE_MESSAGES.get(reason, TOO_MUCH)


# -- outbox handler ------------------------------------------------------------------------------


def handle_preview(previews: PreviewService, payload: dict) -> None:
    """One file per message, not a batch: a LibreOffice render takes seconds, and a batch would keep
    all its messages in one open transaction and could run before the search indexing batches of the
    same pass."""
    if payload.get("sha256"):
        previews.make(payload["sha256"], payload.get("mimetype"))
