"""Preview images of stored files, made by the worker: the first page of a PDF (poppler's pdftoppm), images
(Pillow), the first slide or page of office files (LibreOffice, see office_render; without it, the first picture
of a PPTX). Stored like any other object; one attempt per source SHA-256.

Files come from anyone: rendering runs on a temp copy, in a subprocess with a timeout, under size caps, and a
file that cannot be rendered ends with a "none" row and a warning -- never an exception the outbox would retry.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from hub.db.models import Preview, ResourceFile
from hub.services import office_render

log = logging.getLogger(__name__)

SIZE = 640  # longest side of a preview, in pixels
MAX_SOURCE = 200 * 1024 * 1024  # bytes: larger files are not rendered
MAX_PIXELS = 40_000_000  # an image claiming more is treated as a decompression bomb
PDFTOPPM_TIMEOUT = 20  # seconds
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_told_no_libreoffice = False  # say once per process, not once per file


@dataclass
class Rendered:
    png: bytes
    width: int
    height: int
    kind: str


def kind_of(mimetype: str | None) -> str | None:
    mimetype = (mimetype or "").lower()
    if mimetype == "application/pdf":
        return "pdf"
    if (
        mimetype.startswith("image/") and mimetype != "image/svg+xml"
    ):  # SVG may carry scripts: never rendered
        return "image"
    if mimetype in office_render.FORMATS:
        return "office"
    return None  # video, audio, spreadsheets, archives: no preview


def image_preview(data: bytes, kind: str = "image") -> Rendered:
    """Any image Pillow reads -> a PNG at most SIZE on its longest side. Raises on broken or huge images."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = (
        MAX_PIXELS  # Pillow then raises DecompressionBombError past 2x, warns past 1x
    )
    with Image.open(io.BytesIO(data)) as img:
        if img.width * img.height > MAX_PIXELS:
            raise ValueError(f"image too large: {img.width}x{img.height}")
        img.draft("RGB", (SIZE, SIZE))  # JPEG decodes straight at a smaller scale
        img.thumbnail((SIZE, SIZE))
        out = img.convert("RGB")
    buf = io.BytesIO()
    out.save(buf, "PNG", optimize=True)
    return Rendered(buf.getvalue(), out.width, out.height, kind)


def pdf_preview(path: Path) -> Rendered:
    """First page of the PDF at `path` via pdftoppm, with no shell and a timeout."""
    with tempfile.TemporaryDirectory(prefix="eduhub-preview-") as tmp:
        copy = Path(tmp) / "source.pdf"
        shutil.copyfile(path, copy)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-scale-to",
                str(SIZE),
                str(copy),
                str(Path(tmp) / "page"),
            ],
            check=True,
            timeout=PDFTOPPM_TIMEOUT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        pages = sorted(Path(tmp).glob("page*.png"))
        if not pages:
            raise ValueError("pdftoppm wrote no page")
        return image_preview(pages[0].read_bytes(), "pdf")


def pptx_preview(path: Path) -> Rendered | None:
    """The first slide's first embedded picture, if it has one (a cheap stand-in for rendering the slide)."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        rels = "ppt/slides/_rels/slide1.xml.rels"
        if (
            rels not in names or zf.getinfo(rels).file_size > 1 << 20
        ):  # a relationships file is a few KB
            return None
        targets = re.findall(rb'Target="\.\./media/([^"]+)"', zf.read(rels))
        for target in targets:
            member = "ppt/media/" + target.decode("utf-8", "replace")
            info = zf.getinfo(member) if member in names else None
            if info and info.file_size <= MAX_SOURCE // 4:
                try:
                    return image_preview(zf.read(member), "pptx")
                except Exception:  # an EMF or a broken picture: try the next one
                    continue
    return None


def office_preview(path: Path, mimetype: str) -> Rendered | None:
    """The first slide or page as LibreOffice renders it; without LibreOffice, a PPTX's first picture.
    Raises office_render.ConversionFailed when LibreOffice fails or times out."""
    if office_render.soffice() is None:
        _tell_no_libreoffice()
        return pptx_preview(path) if mimetype == PPTX else None
    with tempfile.TemporaryDirectory(prefix="eduhub-office-") as tmp:
        copy = Path(tmp) / (
            "source" + office_render.FORMATS[mimetype][0]
        )  # LibreOffice trusts the extension
        shutil.copyfile(path, copy)
        rendered = pdf_preview(office_render.first_page_pdf(copy, mimetype, Path(tmp)))
    rendered.kind = "slide" if mimetype in office_render.SLIDES else "document"
    return rendered


def _tell_no_libreoffice() -> None:
    global _told_no_libreoffice
    if not _told_no_libreoffice:
        _told_no_libreoffice = True
        log.info(
            "slide and document previews need LibreOffice (soffice) on PATH; using the first picture of "
            "a PPTX instead"
        )


def render(path: Path, mimetype: str | None) -> Rendered | None:
    kind = kind_of(mimetype)
    mimetype = (mimetype or "").lower()
    if kind == "pdf":
        return pdf_preview(path)
    if kind == "image":
        if path.stat().st_size > MAX_SOURCE:
            return None
        return image_preview(path.read_bytes())
    if kind == "office":
        return office_preview(path, mimetype)
    return None


def make_preview(hub, sha256: str, mimetype: str | None) -> bool:
    """Render and store the preview of one stored file unless tried before; True if tried now."""
    with hub.db.session() as session:
        if session.get(Preview, sha256) is not None:
            return False
    rendered = None
    if kind_of(mimetype) and hub.storage.exists(sha256):
        try:
            rendered = _render_stored(hub, sha256, mimetype)
        except (
            Exception
        ) as exc:  # hostile or broken files are expected: record "none", don't retry forever
            log.warning(
                "no preview for %s (%s): %s: %s",
                sha256,
                mimetype,
                type(exc).__name__,
                str(exc)[:300],
            )
    row = Preview(sha256=sha256, mimetype=(mimetype or "")[:255] or None, kind="none")
    if rendered is not None:
        row.preview_sha256 = hub.storage.put_bytes(rendered.png, "image/png")
        row.width, row.height, row.kind = rendered.width, rendered.height, rendered.kind
    with hub.db.session() as session:
        if session.get(Preview, sha256) is None:
            session.add(row)
            session.commit()
    return True


def _render_stored(hub, sha256: str, mimetype: str | None) -> Rendered | None:
    """Copy the object to a temp file (capped) and render it there."""
    with tempfile.NamedTemporaryFile(prefix="eduhub-src-", dir=_tmp_dir(hub)) as tmp:
        with hub.storage.open(sha256) as stream:
            copied = 0
            while chunk := stream.read(1 << 20):
                copied += len(chunk)
                if copied > MAX_SOURCE:
                    log.warning("no preview for %s: larger than %s bytes", sha256, MAX_SOURCE)
                    return None
                tmp.write(chunk)
        tmp.flush()
        return render(Path(tmp.name), mimetype)


def _tmp_dir(hub) -> str | None:
    tmp = getattr(hub.storage, "tmp_dir", None)
    if tmp is not None:
        Path(tmp).mkdir(parents=True, exist_ok=True)
        return str(tmp)
    return None


# -- reading ------------------------------------------------------------------------------------------------------


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


def resource_preview(hub, actor, resource_id: str) -> tuple[bytes, Preview, bool] | None:
    """(PNG bytes, its row, public?) of a resource this actor may read; None if it has no preview.
    Raises NotFound/Gone exactly as reading the record does."""
    with hub.db.session() as session:
        resource = hub.resources.load_readable(session, actor, resource_id)
        preview = preview_of_files(session, [f.sha256 for f in resource.files])
        public = resource.status == "published" and resource.visibility == "public"
        if preview is None:
            return None
        session.expunge(preview)
    try:
        with hub.storage.open(preview.preview_sha256) as stream:
            return stream.read(), preview, public
    except FileNotFoundError:
        return None


def previews_by_resource(hub, resource_ids: list[str]) -> dict[str, Preview]:
    """resource id -> the preview of its first file that has one (for search hits: one query a page)."""
    if not resource_ids:
        return {}
    with hub.db.session() as session:
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


# -- outbox handler ---------------------------------------------------------------------------------------------


def handle_preview(hub, payload: dict) -> None:
    """One file per message, not a batch: a LibreOffice render takes seconds, and a batch would keep all its
    messages in one open transaction and could run before the search indexing batches of the same pass."""
    if payload.get("sha256"):
        make_preview(hub, payload["sha256"], payload.get("mimetype"))
