"""Controlled vocabularies: one JSON data file each, loaded once into immutable lookup objects."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

DATA_DIR = Path(__file__).parent
LANGS = ("zh", "en")
# The order in which the API lists vocabularies and the search page shows facets; others follow by
# name.
ORDER = (
    "stages",
    "grades",
    "subjects",
    "majors",
    "editions",
    "volumes",
    "types",
    "themes",
    "regions",
    "licenses",
    "languages",
    "creator-roles",
    "visibility",
    "status",
)


def match_key(text: str) -> str:
    """How labels are compared: NFKC (full-width to half-width), no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Term:
    """One entry: a stable code, a Chinese and an English label, the national code if any, and
    extras."""

    code: str
    zh: str
    en: str
    national: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), compare=False)

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def get(self, key: str, default: Any = None) -> Any:
        """An extra attribute (`stage`, `stages`, `parent`, `level`, `aliases`, ...)."""
        return self.extra.get(key, default)

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.extra.get("aliases", ())

    def to_dict(self, lang: str | None = None) -> dict:
        out: dict[str, Any] = {"code": self.code}
        if lang is None:
            out.update(zh=self.zh, en=self.en)
        else:
            out["label"] = self.label(lang)
        if self.national is not None:
            out["national"] = self.national
        out.update(_thaw(self.extra))
        return out


class Vocabulary:
    """An ordered, immutable set of terms with lookups by code and by label."""

    def __init__(self, name: str, label: Mapping[str, str], terms: list[Term]):
        self.name = name
        self._label = MappingProxyType(dict(label))
        self.terms: tuple[Term, ...] = tuple(terms)
        self._by_code = MappingProxyType({t.code: t for t in self.terms})
        self._by_label = MappingProxyType(self._label_index())
        self.codes: tuple[str, ...] = tuple(t.code for t in self.terms)

    def _label_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        # Codes and the official labels win over aliases when two would collide.
        for term in self.terms:
            for text in (term.code, term.zh, term.en):
                index.setdefault(match_key(text), term.code)
        for term in self.terms:
            for text in term.aliases:
                index.setdefault(match_key(text), term.code)
        return index

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def title(self) -> Mapping[str, str]:
        """The vocabulary's own name, `{"zh": ..., "en": ...}`."""
        return self._label

    def term(self, code: str) -> Term | None:
        return self._by_code.get(code) if isinstance(code, str) else None

    def label(self, code: str, lang: str = "zh") -> str:
        """The term's label; an unknown code is returned as it is (stale index keys still
        display)."""
        term = self.term(code)
        return term.label(lang) if term else code

    def lookup_label(self, text: str | None) -> str | None:
        """The code whose code, Chinese or English label or alias matches `text`; None if none
        does."""
        if not isinstance(text, str) or not text.strip():
            return None
        return self._by_label.get(match_key(text))

    def index_of(self, code: str) -> int:
        """Position in the vocabulary's order (for sorting codes canonically); unknown codes sort
        last."""
        try:
            return self.codes.index(code)
        except ValueError:
            return len(self.codes)

    def to_dict(self, lang: str | None = None) -> dict:
        label = dict(self._label) if lang is None else self._label.get(lang, self._label["zh"])
        return {"name": self.name, "label": label, "terms": [t.to_dict(lang) for t in self.terms]}


class Vocabularies:
    """Every vocabulary by name; `digest` changes whenever a data file does (used as the HTTP
    ETag)."""

    def __init__(self, vocabularies: list[Vocabulary], digest: str):
        self._by_name = MappingProxyType({v.name: v for v in vocabularies})
        self.digest = digest

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def get(self, name: str) -> Vocabulary:
        """The named vocabulary; KeyError (naming the known ones) if there is none."""
        try:
            return self._by_name[name]
        except (KeyError, TypeError):
            raise KeyError(
                f"unknown vocabulary {name!r}; known: {', '.join(self._by_name)}"
            ) from None

    __getitem__ = get

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Vocabulary]:
        return iter(self._by_name.values())

    def to_dict(self, lang: str | None = None) -> dict:
        return {name: v.to_dict(lang) for name, v in self._by_name.items()}


def parse_vocabulary(data: Mapping[str, Any]) -> Vocabulary:
    """Build one vocabulary from its JSON document; ValueError says what is wrong with the file."""
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("vocabulary without a name")
    label = data.get("label") or {}
    if not all(isinstance(label.get(lang), str) for lang in LANGS):
        raise ValueError(f"{name}: label needs 'zh' and 'en'")
    terms, seen = [], set()
    for raw in data.get("terms") or []:
        raw = dict(raw)
        code, zh, en = raw.pop("code", None), raw.pop("zh", None), raw.pop("en", None)
        if not all(isinstance(v, str) and v for v in (code, zh, en)):
            raise ValueError(f"{name}: every term needs 'code', 'zh' and 'en': {code!r}")
        if code in seen:
            raise ValueError(f"{name}: duplicate code {code!r}")
        seen.add(code)
        national = raw.pop("national", None)
        terms.append(Term(code, zh, en, national, _freeze(raw)))
    if not terms:
        raise ValueError(f"{name}: no terms")
    return Vocabulary(name, label, terms)


@cache
def load_vocabularies(directory: str | Path | None = None) -> Vocabularies:
    """Every `*.json` in the directory (this package's by default), parsed once per process."""
    directory = Path(directory) if directory else DATA_DIR
    digest = hashlib.sha256()
    vocabularies = []
    paths = sorted(
        directory.glob("*.json"),
        key=lambda p: (p.stem not in ORDER, ORDER.index(p.stem) if p.stem in ORDER else 0, p.stem),
    )
    for path in paths:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        vocabulary = parse_vocabulary(json.loads(raw))
        if vocabulary.name != path.stem:
            raise ValueError(
                f"{path.name}: its name is {vocabulary.name!r}, expected {path.stem!r}"
            )
        vocabularies.append(vocabulary)
    return Vocabularies(vocabularies, digest.hexdigest()[:32])


def names() -> tuple[str, ...]:
    return load_vocabularies().names()


def get(name: str) -> Vocabulary:
    return load_vocabularies().get(name)
