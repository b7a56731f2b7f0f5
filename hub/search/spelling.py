""" "Did you mean": a corrected query that finds something, built from the index itself and the
vocabularies.

Only the port's own `search` and `suggest` are used, each within the caller's scope, so every engine
proposes the same correction and nothing the caller may not read is ever used to build one or
counted. What teachers get wrong:
- pinyin typed without tones (`fenshu`), mapped to the characters of indexed titles that read
  that way (分数);
- a homophone picked by the input method (分树 for 分数): the same pinyin, other characters;
- English or another name of a vocabulary term (`physics`, `PPT`, `教学设计`): the term's Chinese
  label;
- a word that matches nothing (`分数 xyzzy`): dropped.
Traditional characters and full-width letters need no correction: analysis folds them for every
search.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from metadata import analysis
from metadata.vocabularies import load_vocabularies

MAX_PARTS = 6  # longer queries are not corrected: too many probes for one search
MAX_PINYIN = 48  # the suggest keys are cut at 48 characters as well
SUGGESTIONS = 20  # titles read to find the characters of a pinyin
VOCABULARIES = ("subjects", "types", "stages", "grades", "editions", "volumes", "themes", "regions")
_LETTERS = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Correction:
    q: str
    total: int


def correct(index, query) -> Correction | None:
    """A query like `query` (same filters and scope) with its words corrected, and how many it
    finds; None when nothing better is found. Meant for searches that found nothing; never raises on
    what a user typed."""
    normal = analysis.normalize(query.q)
    parts = normal.split(" ") if normal else []
    if not parts or len(parts) > MAX_PARTS:
        return None
    probe = _Probe(index, query)
    fixed = _whole(probe, normal) if len(parts) > 1 and normal.replace(" ", "").isascii() else None
    if fixed is None:
        fixed = " ".join(p for p in (_part(probe, part) for part in parts) if p)
    if not fixed or fixed == normal:
        return None
    total = probe.count(fixed)
    return Correction(q=fixed, total=total) if total else None


class _Probe:
    """Counts of candidate queries (size 1, no facets), remembered for the one correction."""

    def __init__(self, index, query):
        self.index, self.query, self.counts = index, query, {}

    def count(self, q: str) -> int:
        if q not in self.counts:
            probe = replace(self.query, q=q, page=1, size=1, facets=())
            self.counts[q] = self.index.search(probe).total
        return self.counts[q]

    def titles(self, pinyin: str) -> list[str]:
        """Titles (within the caller's scope) with a word starting with this pinyin, most downloaded
        first."""
        return [s.title for s in self.index.suggest(pinyin, self.query.scope, size=SUGGESTIONS)]


def _whole(probe: _Probe, normal: str) -> str | None:
    """`fen shu` or `lesson plan` typed as separate words: read as one."""
    compact = normal.replace(" ", "")
    return _replacement(probe, compact)


def _part(probe: _Probe, part: str) -> str:
    """The part itself when it finds something; else its correction; else its words that find
    something."""
    if probe.count(part):
        return part
    better = _replacement(probe, part)
    if better:
        return better
    words = [w for w in analysis.words(part) if w.strip() and w not in analysis.STOPWORDS]
    if len(words) < 2:
        return ""
    return " ".join(w for w in words if probe.count(w))


def _replacement(probe: _Probe, part: str) -> str | None:
    for candidate in _candidates(probe, part):
        if candidate != part and probe.count(candidate):
            return candidate
    return None


def _candidates(probe: _Probe, part: str):
    term = vocabulary_label(part)
    if term:
        yield term
    if part.isascii():
        if _LETTERS.fullmatch(part) and 2 <= len(part) <= MAX_PINYIN:
            yield from _spelled(probe.titles(part), part, length=None)
        return
    if analysis.has_cjk(part) and len(part) <= MAX_PINYIN // 2:
        for pinyin in pinyin_readings(part)[:2]:
            yield from _spelled(probe.titles(pinyin), pinyin, length=len(part))


def _spelled(titles: list[str], pinyin: str, length: int | None) -> list[str]:
    """Stretches of these titles that read as `pinyin` (of `length` characters if given), most
    frequent first."""
    found: dict[str, int] = {}
    for title in titles:
        for stretch in spellings(analysis.normalize(title).replace(" ", ""), pinyin):
            if length is None or len(stretch) == length:
                found[stretch] = found.get(stretch, 0) + 1
    return sorted(found, key=lambda s: -found[s])


def vocabulary_label(text: str) -> str | None:
    """The Chinese label of the vocabulary term whose code, label or alias `text` is (`physics` ->
    物理)."""

    vocabularies = load_vocabularies()
    for name in VOCABULARIES:
        if name in vocabularies:
            vocabulary = vocabularies.get(name)
            code = vocabulary.lookup_label(text)
            if code:
                return analysis.normalize(vocabulary.label(code)) or None
    return None


def spellings(text: str, pinyin: str) -> list[str]:
    """Every stretch of `text` whose characters, one reading each, spell `pinyin` exactly (tones
    ignored)."""
    pinyin = pinyin[:MAX_PINYIN]
    if not pinyin:
        return []
    readings = [_readings(ch) for ch in text]
    out = []
    for start in range(len(text)):
        ends = _ends(readings, start, pinyin)
        out += [text[start:end] for end in ends]
    return list(dict.fromkeys(out))


def _ends(readings: list[tuple[str, ...]], start: int, pinyin: str) -> list[int]:
    """Ends of the stretches from `start` that consume all of `pinyin` (a small search: readings are
    few)."""
    ends, frontier = [], {(start, 0)}
    while frontier:
        step = set()
        for i, pos in frontier:
            if pos == len(pinyin):
                ends.append(i)
                continue
            if i >= len(readings):
                continue
            for reading in readings[i]:
                if pinyin.startswith(reading, pos):
                    step.add((i + 1, pos + len(reading)))
        frontier = step
    return sorted(set(ends))


def pinyin_readings(text: str) -> list[str]:
    """Toneless pinyin of a Chinese text: the first reading of every character, then with a second
    reading of the first character that has one (heteronyms: 乐 le/yue). Characters without a
    reading are kept as they are."""
    readings = [_readings(ch) or (ch,) for ch in text]
    first = "".join(r[0] for r in readings)
    out = [first]
    for i, options in enumerate(readings):
        if len(options) > 1:
            out.append("".join(r[0] if j != i else options[1] for j, r in enumerate(readings)))
            break
    return out


def _readings(ch: str) -> tuple[str, ...]:
    return pinyin_table().get(ord(ch), ())


@lru_cache(maxsize=1)
def pinyin_table() -> dict[int, tuple[str, ...]]:
    """Code point -> toneless readings, from pypinyin's character table alone: its phrase tables
    (~54 MB) stay out of the web processes. Read as data, without importing pypinyin; readings are
    shared (a few hundred distinct syllables, a few thousand distinct sets), so the table holds ~3
    MB."""
    spec = importlib.util.find_spec("pypinyin")
    folder = Path(next(iter(spec.submodule_search_locations)))
    raw = json.loads((folder / "pinyin_dict.json").read_text(encoding="utf-8"))
    shared: dict = {}
    table = {}
    for code, value in raw.items():
        if analysis.has_cjk(chr(int(code))):
            readings = tuple(
                dict.fromkeys(
                    shared.setdefault(r, r) for r in map(_toneless, value.split(",")) if r
                )
            )
            table[int(code)] = shared.setdefault(readings, readings)
    return table


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading).replace(
        "u\u0308", "v"
    )  # ü is typed as v (lv: 绿)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
