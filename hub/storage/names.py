"""Safe file names for stored resources, and the RFC 6266/5987 Content-Disposition header that
carries them."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from hub.errors import ValidationFailed

MAX_BYTES = 255
MAX_EXTENSION = 16
# Characters Windows refuses in names; teachers download onto Windows machines, so we refuse them
# too.
WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    "CONIN$",
    "CONOUT$",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
# Cc controls, Cf format characters (the right-to-left override that disguises "exe.pdf" as
# "fdp.exe"), surrogates and unassigned code points, and the Unicode line and paragraph separators.
DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"}
# RFC 5987 attr-char: what may stay unescaped in filename*=UTF-8''...
ATTR_CHARS = "!#$&+-.^_`|~"


def sanitise_filename(name: str) -> str:
    """A name that is safe on every file system and in every header; Chinese names stay Chinese."""
    if not isinstance(name, str):
        raise _unusable(name)
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[/\\]", text)[-1]  # drop any path a browser or a client sent along
    text = "".join(_keep(ch) for ch in text)
    text = re.sub(" +", " ", text)
    text = WINDOWS_FORBIDDEN.sub("_", text)
    text = text.lstrip(". ").rstrip(". ")  # no hidden files; Windows drops trailing dots and spaces
    text = _defuse_reserved(text)
    text = unicodedata.normalize("NFC", _truncate(text))
    if not text or text in {".", ".."}:
        raise _unusable(name)
    return text


def _keep(ch: str) -> str:
    # Tabs, newlines, ideographic and no-break spaces become one plain space; other invisible
    # characters go.
    if ch in "\t\n\r\v\f" or unicodedata.category(ch) == "Zs":
        return " "
    return "" if unicodedata.category(ch) in DROPPED_CATEGORIES else ch


def split_extension(name: str) -> tuple[str, str]:
    """("课件", ".pptx"): the last suffix, if it looks like an extension."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > MAX_EXTENSION - 1 or not ext.isalnum():
        return name, ""
    return stem, "." + ext


def content_disposition(filename: str, inline: bool = False) -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''...`: old clients read the first, all others
    the second."""
    kind = "inline" if inline else "attachment"
    fallback = _ascii_fallback(filename)
    encoded = quote(filename, safe=ATTR_CHARS)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _defuse_reserved(text: str) -> str:
    stem = text.split(".", 1)[0].rstrip(" ")
    return "_" + text if stem.upper() in WINDOWS_RESERVED else text


def _truncate(text: str) -> str:
    if len(text.encode("utf-8")) <= MAX_BYTES:
        return text
    stem, ext = split_extension(text)
    budget = MAX_BYTES - len(ext.encode("utf-8"))
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
    # Never leave a base character cut off from its combining marks.
    while cut and len(cut) < len(stem) and unicodedata.combining(stem[len(cut)]):
        cut = cut[:-1]
    return cut.rstrip(". ") + ext


def _ascii_fallback(filename: str) -> str:
    stem, ext = split_extension(filename)
    stem, ext = _ascii(stem).strip(" ."), _ascii(ext)
    if not stem.strip("_ "):
        # A name that was all Chinese leaves only underscores: a neutral word reads better.
        stem = "download"
    return stem + (ext if len(ext) > 1 else "")


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9 ._()+-]", "_", text)


def _unusable(name) -> ValidationFailed:
    message = (
        "文件名无效：去掉路径和特殊字符后没有剩下可用的字符，"
        "请改用普通的文件名（例如“课件.pptx”）。"
        "The file name is not usable once paths and special characters are removed; please use "
        "an ordinary name such as 'lesson.pptx'."
    )
    return ValidationFailed(message, errors=[{"field": "name", "messages": [message]}])
