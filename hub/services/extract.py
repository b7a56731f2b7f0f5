"""Plain text from teaching files (PDF, DOCX, PPTX, XLSX, plain text), capped, for search.

The parsers run in a sandboxed child (hub/sandbox.py): a DOCX of 83 KB once took 95 s of CPU and
1.8 GB here. A file stopped by a limit gives no text and is not tried again.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from typing import BinaryIO, NamedTuple

from hub import sandbox

log = logging.getLogger(__name__)

TEXT_CAP = 100_000  # characters kept per file: enough to find a lesson, small enough to index fast
MAX_INPUT = 64 * 1024 * 1024  # bigger files are not opened: parsing them holds a worker for minutes

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIPPED = {DOCX, PPTX, XLSX}  # checked from their central directory before they are opened
EXTENSIONS = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".pptx": PPTX,
    ".xlsx": XLSX,
    ".txt": "text/plain",
    ".md": "text/plain",
    ".csv": "text/plain",
    ".html": "text/plain",
    ".htm": "text/plain",
}


class _Collector:
    """Gathers pieces of text until the cap, so a huge file stops being read early."""

    def __init__(self, cap: int):
        self.cap, self.parts, self.size = cap, [], 0

    @property
    def full(self) -> bool:
        return self.size >= self.cap

    def add(self, text) -> bool:
        text = (str(text) if text is not None else "").strip()
        if text and not self.full:
            self.parts.append(text)
            self.size += len(text) + 1
        return not self.full

    def text(self) -> str:
        return "\n".join(self.parts)[: self.cap]


def kind_of(mimetype: str | None, name: str | None = None) -> str | None:
    """The extractor's mimetype for a file, from its mimetype or, failing that, its name."""
    mimetype = (mimetype or "").split(";")[0].strip().lower()
    if mimetype in (PDF, DOCX, PPTX, XLSX) or mimetype.startswith("text/"):
        return "text/plain" if mimetype.startswith("text/") else mimetype
    suffix = "." + (name or "").rsplit(".", 1)[-1].lower() if name and "." in name else ""
    return EXTENSIONS.get(suffix)


class Extraction(NamedTuple):
    text: str
    failure: str | None = None  # "reason: message" when a sandbox limit stopped it


def extract_text(
    stream: BinaryIO, mimetype: str | None, name: str | None = None, *, cap: int = TEXT_CAP
) -> str:
    """The file's text (at most `cap` characters); "" for formats without text, files that cannot
    be read and files stopped by a sandbox limit."""
    return extract(stream, mimetype, name, cap=cap).text


def extract(
    stream: BinaryIO, mimetype: str | None, name: str | None = None, *, cap: int = TEXT_CAP
) -> Extraction:
    """The file's text, and why a limit stopped the extraction if one did."""
    kind = kind_of(mimetype, name)
    if kind not in READERS:
        return Extraction("")
    if kind == "text/plain":  # reads at most 4 x cap bytes and parses nothing: safe in-process
        out = _Collector(cap)
        _plain(stream, out)
        return Extraction(out.text())
    with tempfile.NamedTemporaryFile(prefix="eduhub-extract-") as copy:
        if _copy_capped(stream, copy) > MAX_INPUT:
            return Extraction("")
        try:
            text = sandbox.call("hub.services.extract:extract_path", copy.name, kind, cap)
            return Extraction(text)
        except sandbox.LimitExceeded as exc:
            log.warning("text extraction from %s (%s) stopped: %s", name or "file", kind, exc)
            return Extraction("", f"{exc.reason}: {exc}"[:300])
        except sandbox.SandboxError as exc:
            log.info("no text from %s (%s): %s", name or "file", kind, exc)
    return Extraction("")


def _copy_capped(stream: BinaryIO, out) -> int:
    """Copy at most MAX_INPUT + 1 bytes (one past, so an oversized file shows); bytes copied."""
    copied = 0
    while copied <= MAX_INPUT and (chunk := stream.read(min(1 << 20, MAX_INPUT + 1 - copied))):
        out.write(chunk)
        copied += len(chunk)
    out.flush()
    return copied


def extract_path(path: str, kind: str, cap: int) -> str:
    """In the sandboxed child: the text of the file at `path`, read by `kind`'s reader."""
    if kind in ZIPPED:
        sandbox.check_zip(path)
    out = _Collector(cap)
    with open(path, "rb") as stream:
        try:
            READERS[kind](stream, out)
        except (sandbox.LimitExceeded, MemoryError):
            raise
        except Exception as exc:  # parsers raise anything on a damaged file
            # A damaged file keeps what was read before the damage; its metadata stays searchable.
            log.info("text extraction (%s) stopped: %s", kind, exc)
    return out.text()


def _pdf(stream, out: _Collector) -> None:
    from pypdf import PdfReader  # format readers load only in the extraction child, when needed

    for page in PdfReader(stream).pages:
        if not out.add(page.extract_text()):
            return


def _docx(stream, out: _Collector) -> None:
    import docx  # python-docx: loaded only for a Word file

    document = docx.Document(stream)
    for paragraph in document.paragraphs:
        if not out.add(paragraph.text):
            return
    for table in document.tables:
        for row in table.rows:
            if not out.add(" ".join(cell.text for cell in row.cells)):
                return


def _pptx(stream, out: _Collector) -> None:
    from pptx import Presentation  # python-pptx: loaded only for a slide deck

    for slide in Presentation(stream).slides:
        for shape in slide.shapes:
            if shape.has_text_frame and not out.add(shape.text_frame.text):
                return


def _xlsx(stream, out: _Collector) -> None:
    from openpyxl import load_workbook  # openpyxl: loaded only for a workbook

    workbook = load_workbook(stream, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                if not out.add(" ".join(str(v) for v in row if v is not None)):
                    return
    finally:
        workbook.close()


def _plain(stream, out: _Collector) -> None:
    data = stream.read(out.cap * 4)
    for encoding in ("utf-8", "gb18030"):  # Chinese teachers' text files are often GBK
        try:
            out.add(data.decode(encoding))
            return
        except UnicodeDecodeError:
            continue
    out.add(data.decode("utf-8", errors="replace"))


READERS: dict[str | None, Callable] = {
    PDF: _pdf,
    DOCX: _docx,
    PPTX: _pptx,
    XLSX: _xlsx,
    "text/plain": _plain,
}
