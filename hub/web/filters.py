"""Template helpers: vocabulary labels, file sizes, dates, and search highlights that are safe to show."""
from __future__ import annotations

import re

from flask import Blueprint
from markupsafe import Markup, escape

from hub import current_hub

# Canonical field -> vocabulary, for labels on the resource page and in search results.
FIELD_VOCABULARY = {"stage": "stages", "subjects": "subjects", "grades": "grades", "edition": "editions",
                    "volume": "volumes", "type": "types", "themes": "themes", "region": "regions",
                    "license": "licenses", "language": "languages", "visibility": "visibility", "status": "status"}
_MARK = re.compile(r"</?mark>")


def label(code: str | None, vocabulary: str, lang: str = "zh") -> str:
    """The label of a code; the code itself when the vocabulary does not know it."""
    if not code:
        return ""
    vocabularies = current_hub().vocabularies
    if vocabulary not in vocabularies:
        return code
    return vocabularies.get(vocabulary).label(code, lang)


def field_label(code: str | None, field: str, lang: str = "zh") -> str:
    return label(code, FIELD_VOCABULARY.get(field, field), lang)


def vocabulary_title(vocabulary: str) -> dict:
    vocabularies = current_hub().vocabularies
    if vocabulary not in vocabularies:
        return {"zh": vocabulary, "en": vocabulary}
    return dict(vocabularies.get(vocabulary).title)


def filesize(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def day(iso: str | None) -> str:
    """'2026-03-01T08:00:00Z' -> '2026-03-01' (what a teacher needs to know)."""
    return (iso or "")[:10]


def highlight(html: str | None, fallback: str | None = "") -> Markup:
    """The index's highlight (escaped text with <mark>), trusted only if <mark> is its only markup."""
    if html and "<" not in _MARK.sub("", html):
        return Markup(html)
    return escape(fallback or "")


def register(bp: Blueprint) -> None:
    for name, func in (("label", label), ("field_label", field_label), ("filesize", filesize), ("day", day),
                       ("highlight", highlight)):
        bp.add_app_template_filter(func, name)
    bp.add_app_template_global(vocabulary_title, "vocabulary_title")
