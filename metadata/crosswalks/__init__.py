"""Crosswalks between the canonical record and oai_dc, IEEE LOM and LRMI; the vocabulary lookups
they share."""

from __future__ import annotations

import re

from metadata import majors
from metadata.vocabularies import load_vocabularies, match_key

# Canonical field -> (vocabulary name, the short name used in prefixed codes such as
# "subject:math").
CODED_FIELDS: dict[str, tuple[str, str]] = {
    "stage": ("stages", "stage"),
    "grades": ("grades", "grade"),
    "subjects": ("subjects", "subject"),
    "majors": ("majors", "major"),
    "edition": ("editions", "edition"),
    "volume": ("volumes", "volume"),
    "type": ("types", "type"),
    "themes": ("themes", "theme"),
    "license": ("licenses", "license"),
    "region": ("regions", "region"),
}
LIST_FIELDS = ("subjects", "grades", "majors", "themes", "keywords", "creators")
PREFIX_TO_FIELD = {short: name for name, (_vocab, short) in CODED_FIELDS.items()}


class VocabLookup:
    """Codes <-> labels over `metadata.vocabularies` (None: no vocabularies, codes only)."""

    def __init__(self, vocabularies=None):
        self.vocabularies = vocabularies

    def _get(self, name: str):
        if self.vocabularies is None or name not in self.vocabularies:
            return None
        return self.vocabularies.get(name)

    def label(self, vocab: str, code: str | None, lang: str = "zh") -> str | None:
        vocabulary = self._get(vocab)
        term = vocabulary.term(code) if vocabulary is not None and code else None
        return term.label(lang) if term else None

    def code_for(self, vocab: str, text: str | None) -> str | None:
        """The code whose code, Chinese or English label or alias matches `text`."""
        vocabulary = self._get(vocab)
        return vocabulary.lookup_label(text) if vocabulary is not None else None

    def has(self, vocab: str, code: str | None) -> bool:
        vocabulary = self._get(vocab)
        return vocabulary is not None and code in vocabulary

    def term(self, vocab: str, code: str | None):
        vocabulary = self._get(vocab)
        return vocabulary.term(code) if vocabulary is not None and code else None

    def major_label(self, code: str) -> str | None:
        """A major's stage-qualified label, which reads back as exactly one code."""
        if self._get("majors") is None or self._get("stages") is None:
            return None
        return majors.qualified_label(self.vocabularies, code)

    def major_for(self, text: str | None) -> str | None:
        """The major a stage-qualified label names; None for a bare class name, which is
        ambiguous."""
        code = self.code_for("majors", text)
        term = self.term("majors", code)
        if term is None or match_key(text or "") not in {match_key(a) for a in term.aliases}:
            return None
        return code

    def role_to_lom(self, role: str | None) -> str:
        term = self.term("creator-roles", role or "author")
        return (term.get("lom") if term is not None else None) or "author"

    def role_from_lom(self, value: str | None) -> str:
        vocabulary = self._get("creator-roles")
        if vocabulary is None or not value:
            return "author"
        match = next((t.code for t in vocabulary if t.get("lom") == value), None)
        return match or vocabulary.lookup_label(value) or "author"

    def remembered(self, key: tuple, compute, *args):
        """`compute(*args)`, a pure function of the vocabularies; a caching lookup keeps the answer
        under `key`."""
        return compute(*args)

    def codes(self, vocab: str) -> tuple[str, ...]:
        vocabulary = self._get(vocab)
        return vocabulary.codes if vocabulary is not None else ()


EMPTY = VocabLookup()


def default_lookup() -> VocabLookup:
    """The lookup over the hub's own vocabulary files."""

    return VocabLookup(load_vocabularies())


def creator_name(creator) -> str:
    """Creators are strings; tolerate {"name": ...} objects from other sources."""
    if isinstance(creator, dict):
        return str(creator.get("name") or "")
    return str(creator or "")


def absolute(base_url: str, path: str | None) -> str | None:
    if not path:
        return None
    if path.startswith(("http://", "https://")) or not base_url:
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


# Creative Commons licence URLs -> SPDX ids, for foreign records that state a URL.
_CC_URL = re.compile(r"creativecommons\.org/(licenses|publicdomain)/([a-z\-]+)/(\d\.\d)", re.I)


def license_code(text: str | None, vocab: VocabLookup) -> str | None:
    if not text:
        return None
    code = vocab.code_for("licenses", text)
    if code:
        return code
    match = _CC_URL.search(text)
    if match:
        kind, version = match.group(2).lower(), match.group(3)
        spdx = "CC0-1.0" if kind == "zero" else f"CC-{kind.upper()}-{version}"
        return vocab.code_for("licenses", spdx) or spdx
    return text.strip() if re.fullmatch(r"[A-Za-z0-9.\-+]{2,32}", text.strip()) else None


LICENSE_URLS = {"CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/"}


def license_url(code: str | None) -> str | None:
    """The licence as a URL for LRMI; CC ids have canonical URLs, others use the SPDX page."""
    if not code:
        return None
    if code in LICENSE_URLS:
        return LICENSE_URLS[code]
    match = re.fullmatch(r"CC-([A-Z\-]+)-(\d\.\d)", code)
    if match:
        return f"https://creativecommons.org/licenses/{match.group(1).lower()}/{match.group(2)}/"
    return (
        f"https://spdx.org/licenses/{code}.html"
        if re.fullmatch(r"[A-Za-z0-9.\-+]+", code)
        else None
    )


LANGUAGE_ALIASES = {
    "chi": "zh",
    "zho": "zh",
    "zh-cn": "zh",
    "zh-hans": "zh",
    "zh_cn": "zh",
    "chinese": "zh",
    "eng": "en",
    "en-us": "en",
    "en-gb": "en",
    "english": "en",
}


def language_code(text: str | None) -> str | None:
    if not text:
        return None
    value = text.strip().lower()
    return LANGUAGE_ALIASES.get(value, value)[:16]


_NOT_KEYWORDS = ("license", "region")  # an unknown licence or region is dropped, not made a keyword


def restrict(record: dict, vocab: VocabLookup) -> dict:
    """Keep a harvested record inside the schema: unknown codes become keywords, lists and texts are
    clipped."""
    out = dict(record)
    keywords = list(out.get("keywords") or [])
    checked = (
        CODED_FIELDS.items() if vocab.vocabularies is not None else ()
    )  # no vocabularies: codes as they are
    for name, (vocab_name, _short) in checked:
        value = out.get(name)
        if value in (None, "", []):
            continue
        known = []
        for v in value if isinstance(value, list) else (value,):  # each code looked up once
            if vocab.has(vocab_name, v):
                known.append(v)
            elif name not in _NOT_KEYWORDS:
                keywords.append(str(v))
        if isinstance(value, list):
            out[name] = known
        elif known:
            out[name] = known[0]
        else:
            out.pop(name)
    out["keywords"] = list(dict.fromkeys(k[:50] for k in keywords if k and k.strip()))[:30]
    if out.get("title"):
        out["title"] = out["title"][:500]
    if out.get("chapter"):
        out["chapter"] = out["chapter"][:500]
    out["creators"] = [c for c in out.get("creators") or [] if creator_name(c)][:50]
    return out
