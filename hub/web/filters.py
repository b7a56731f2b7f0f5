"""Template helpers: vocabulary labels, file sizes, dates, and search highlights that are safe to
show."""

from __future__ import annotations

import re

from flask import Blueprint
from markupsafe import Markup, escape

from hub.http.context import current_hub
from hub.search import labels
from hub.web.i18n import current_lang

# Canonical field -> vocabulary, for labels on the resource page and in search results: the facets'
# vocabularies, and the fields only a record page shows.
FIELD_VOCABULARY = {
    **labels.VOCABULARY,
    "language": "languages",
    "visibility": "visibility",
    "status": "status",
}
_MARK = re.compile(r"</?mark>")


def label(code: str | None, vocabulary: str, lang: str | None = None) -> str:
    """The label of a code in `lang` (default: the page's language); the code itself when the
    vocabulary lacks it."""
    if not code:
        return ""
    vocabularies = current_hub().vocabularies
    if vocabulary not in vocabularies:
        return code
    return vocabularies.get(vocabulary).label(code, lang or current_lang())


def field_label(code: str | None, field: str, lang: str | None = None) -> str:
    return label(code, FIELD_VOCABULARY.get(field, field), lang)


def vocabulary_title(vocabulary: str, lang: str | None = None) -> str:
    """The vocabulary's own name in the page's language (e.g. 学科 / Subjects)."""
    vocabularies = current_hub().vocabularies
    if vocabulary not in vocabularies:
        return vocabulary
    return vocabularies.get(vocabulary).title[lang or current_lang()]


def major_label(code: str) -> str:
    """A major with its stage in the page's language ("高职专科 农业类"): class names repeat from
    stage to stage."""
    term = current_hub().vocabularies.get("majors").term(code)
    if term is None:
        return code
    return f"{label(term.get('stage'), 'stages')} {term.label(current_lang())}"


def term_label(term) -> str:
    """A vocabulary term (in the upload form's pick lists) in the page's language."""
    return term.label(current_lang())


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
    """The index's highlight (escaped text with <mark>), trusted only if <mark> is its only
    markup."""
    if html and "<" not in _MARK.sub("", html):
        return Markup(html)
    return escape(fallback or "")


def register(bp: Blueprint) -> None:
    for name, func in (
        ("label", label),
        ("field_label", field_label),
        ("filesize", filesize),
        ("day", day),
        ("highlight", highlight),
        ("term_label", term_label),
    ):
        bp.add_app_template_filter(func, name)
    bp.add_app_template_global(vocabulary_title, "vocabulary_title")
