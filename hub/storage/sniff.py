"""Content-type sniffing: what a file really is, checked against an allow-list of teaching formats
and its name."""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

from hub.errors import UnsupportedMediaType

HEAD_BYTES = 8192
TEXT_SAMPLE = 1 << 20
OOXML = "application/vnd.openxmlformats-officedocument."

# extension -> (mimetype, the content kind it must have). Kinds come from `_detect_kind`.
ALLOWED: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "pdf"),
    ".doc": ("application/msword", "ole2"),
    ".xls": ("application/vnd.ms-excel", "ole2"),
    ".ppt": ("application/vnd.ms-powerpoint", "ole2"),
    # Kingsoft WPS Office formats, common in Chinese schools; OLE2 containers like the old Office
    # ones.
    ".wps": ("application/wps-office.wps", "ole2"),
    ".et": ("application/wps-office.et", "ole2"),
    ".dps": ("application/wps-office.dps", "ole2"),
    ".docx": (OOXML + "wordprocessingml.document", "docx"),
    ".pptx": (OOXML + "presentationml.presentation", "pptx"),
    ".xlsx": (OOXML + "spreadsheetml.sheet", "xlsx"),
    ".odt": ("application/vnd.oasis.opendocument.text", "odt"),
    ".odp": ("application/vnd.oasis.opendocument.presentation", "odp"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
    ".rtf": ("application/rtf", "rtf"),
    ".epub": ("application/epub+zip", "epub"),
    ".zip": ("application/zip", "zip"),
    ".h5p": ("application/vnd.h5p", "h5p"),
    ".png": ("image/png", "png"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".gif": ("image/gif", "gif"),
    ".webp": ("image/webp", "webp"),
    ".bmp": ("image/bmp", "bmp"),
    ".tif": ("image/tiff", "tiff"),
    ".tiff": ("image/tiff", "tiff"),
    ".mp3": ("audio/mpeg", "mp3"),
    ".wav": ("audio/wav", "wav"),
    ".ogg": ("audio/ogg", "ogg"),
    ".oga": ("audio/ogg", "ogg"),
    ".ogv": ("video/ogg", "ogg"),
    ".flac": ("audio/flac", "flac"),
    ".aac": ("audio/aac", "aac"),
    ".m4a": ("audio/mp4", "isobmff"),
    ".mp4": ("video/mp4", "isobmff"),
    ".m4v": ("video/x-m4v", "isobmff"),
    ".mov": ("video/quicktime", "isobmff"),
    ".webm": ("video/webm", "webm"),
    ".txt": ("text/plain", "text"),
    ".csv": ("text/csv", "text"),
    ".md": ("text/markdown", "text"),
    ".srt": ("application/x-subrip", "text"),
    ".vtt": ("text/vtt", "text"),
}
# A file without an extension is still accepted when its content alone says unambiguously what it
# is.
KIND_MIMETYPES = {
    kind: mime
    for mime, kind in reversed(list(ALLOWED.values()))
    if kind not in {"ole2", "text", "isobmff", "ogg"}
}

# (offset, magic bytes, kind); first match wins.
MAGIC: list[tuple[int, bytes, str]] = [
    (0, b"MZ", "executable"),
    (0, b"\x7fELF", "executable"),
    (0, b"\xfe\xed\xfa\xce", "executable"),
    (0, b"\xfe\xed\xfa\xcf", "executable"),
    (0, b"\xce\xfa\xed\xfe", "executable"),
    (0, b"\xcf\xfa\xed\xfe", "executable"),
    (0, b"\xca\xfe\xba\xbe", "executable"),  # Mach-O universal binary (and Java class files)
    (0, b"#!", "script"),
    (0, b"%PDF-", "pdf"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),
    (0, b"{\\rtf", "rtf"),
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (8, b"WEBP", "webp"),
    (8, b"WAVE", "wav"),
    (0, b"BM", "bmp"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"ID3", "mp3"),
    (0, b"OggS", "ogg"),
    (0, b"fLaC", "flac"),
    (4, b"ftyp", "isobmff"),
    (4, b"moov", "isobmff"),
    (4, b"mdat", "isobmff"),
    (4, b"wide", "isobmff"),
    (0, b"\x1a\x45\xdf\xa3", "webm"),
]
DANGEROUS = {"executable", "script", "markup"}
# Text that a browser or a shell would run rather than show.
MARKUP_PREFIXES = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?php", b"<?xml-stylesheet")
# C0 controls other than tab, newlines, form feed, DOS end-of-file and escape never appear in text.
BINARY_CONTROLS = re.compile(rb"[\x00-\x08\x0e-\x19\x1c-\x1f]")

ALLOWED_SUMMARY = (
    "允许的类型：文档（PDF、Word、WPS、ODT、RTF、EPUB）、演示文稿（PPT、PPTX、ODP）、"
    "表格（XLS、XLSX、ODS、CSV）、图片（PNG、JPEG、GIF、WebP、BMP、TIFF）、"
    "音频（MP3、WAV、OGG、M4A、AAC、FLAC）、视频（MP4、WebM、OGV、MOV、M4V）、"
    "压缩包（ZIP、H5P）和纯文本（TXT、MD、SRT、VTT）。"
    "Allowed: documents (PDF, Word, WPS, ODT, RTF, EPUB), slides (PPT, PPTX, ODP), spreadsheets "
    "(XLS, XLSX, ODS, CSV), images (PNG, JPEG, GIF, WebP, BMP, TIFF), audio (MP3, WAV, OGG, M4A, "
    "AAC, FLAC), video (MP4, WebM, OGV, MOV, M4V), archives (ZIP, H5P) and plain text "
    "(TXT, MD, SRT, VTT)."
)


def sniff_type(path: Path, filename: str) -> str:
    """The file's mimetype, from its content checked against its extension; 415 when not allowed or
    disguised."""
    ext = _extension(filename)
    kind = _detect_kind(Path(path))
    if kind in DANGEROUS:
        raise _refuse(
            f"文件“{filename}”的内容是可执行程序或脚本，不能上传。"
            f"The content of '{filename}' is a program or script, which cannot be uploaded."
        )
    if ext not in ALLOWED:
        if not ext and kind in KIND_MIMETYPES:
            return KIND_MIMETYPES[kind]
        raise _refuse(
            f"不支持此文件类型（{ext or '无扩展名'}）。This file type ({ext or 'no extension'}) "
            "is not supported."
        )
    mimetype, expected = ALLOWED[ext]
    if kind == expected:
        return mimetype
    if kind is None and expected == "text":
        charset = _text_charset(Path(path))
        if charset:
            return f"{mimetype}; charset={charset}"
    raise _refuse(
        f"文件“{filename}”的内容与扩展名 {ext} 不符，请检查文件后重新上传。"
        f"The content of '{filename}' does not match its {ext} extension; check the file and "
        "upload it again."
    )


def _extension(filename: str) -> str:
    _, dot, ext = filename.rpartition(".")
    return "." + ext.lower() if dot else ""


def _detect_kind(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    for offset, magic, kind in MAGIC:
        if head[offset : offset + len(magic)] == magic and _confirmed(kind, head):
            return _zip_kind(path) if kind == "zip" else kind
    if b"%PDF-" in head[:1024]:  # PDF allows junk before the header, and readers accept it
        return "pdf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # a UTF-16 byte-order mark, not an MPEG frame sync: a text candidate
    if _is_mpeg_audio(head):
        return "aac" if head[1] & 0x06 == 0 else "mp3"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(MARKUP_PREFIXES):
        return "markup"
    return None


def _confirmed(kind: str, head: bytes) -> bool:
    """Second checks for the short magics, so a text file that happens to start with "BM" or "MZ" is
    still text."""
    if kind == "bmp":
        return head[6:10] == b"\0\0\0\0"  # the two reserved fields
    if kind == "executable" and head.startswith(b"MZ"):
        return b"\0" in head[:64]  # a DOS header is full of zero bytes; text never has them
    if kind == "mp3" and head.startswith(b"ID3"):
        return head[3:4] in (b"\2", b"\3", b"\4")
    return True


def _is_mpeg_audio(head: bytes) -> bool:
    # A frame sync: eleven set bits. Layer bits 00 mean an AAC ADTS stream, anything else MPEG
    # audio.
    return len(head) >= 4 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0


def _zip_kind(path: Path) -> str | None:
    """Look inside a ZIP container without extracting it: OOXML, ODF, EPUB, H5P, or a plain
    archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return _odf_or_epub(
                    _read_member(archive, "mimetype", 200).strip().decode("ascii", "replace")
                )
            if "[Content_Types].xml" in names:
                return _ooxml_kind(_read_member(archive, "[Content_Types].xml", 1 << 20), names)
            if "h5p.json" in names:
                return "h5p"
            return "zip"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError):
        return "broken"


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    # Read a bounded amount: a crafted archive must not inflate into memory.
    with archive.open(name) as member:
        return member.read(limit)


def _odf_or_epub(mimetype: str) -> str | None:
    if mimetype == "application/epub+zip":
        return "epub"
    return {
        "application/vnd.oasis.opendocument.text": "odt",
        "application/vnd.oasis.opendocument.presentation": "odp",
        "application/vnd.oasis.opendocument.spreadsheet": "ods",
    }.get(mimetype, "other-container")


def _ooxml_kind(content_types: bytes, names: set[str]) -> str:
    # The main part's content type decides; macro-enabled (docm/xlsm/pptm) and templates are not on
    # it.
    for kind, main in (
        ("docx", "wordprocessingml.document.main+xml"),
        ("pptx", "presentationml.presentation.main+xml"),
        ("xlsx", "spreadsheetml.sheet.main+xml"),
    ):
        if (OOXML + main).encode() in content_types:
            return kind
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        return "office-macro"
    folders = {name.split("/", 1)[0] for name in names}
    for _kind, folder in (("docx", "word"), ("pptx", "ppt"), ("xlsx", "xl")):
        if folder in folders:
            return "office-other"
    return "zip"


def _text_charset(path: Path) -> str | None:
    """`utf-8`, `utf-16` or `gb18030` when the start of the file is text in it, else None."""
    with open(path, "rb") as fh:
        sample = fh.read(TEXT_SAMPLE)
        at_end = not fh.read(1)
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16" if _decodes(sample, "utf-16", at_end) else None
    if BINARY_CONTROLS.search(sample):
        return None
    for charset in ("utf-8", "gb18030"):
        if _decodes(sample, charset, at_end):
            return charset
    return None


def _decodes(sample: bytes, charset: str, at_end: bool) -> bool:
    # Incremental, so a character cut in half at the end of the sample does not count as an error.
    try:
        codecs.getincrementaldecoder(charset)().decode(sample, final=at_end)
        return True
    except UnicodeDecodeError:
        return False


def _refuse(message: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(f"{message} {ALLOWED_SUMMARY}")
