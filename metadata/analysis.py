"""Chinese text analysis shared by every search engine: normalise, segment (search mode), bigrams,
highlight."""

from __future__ import annotations

import html
import json
import re
import threading
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from operator import add
from pathlib import Path

import rjieba

from metadata.vocabularies import load_vocabularies

# Function words that carry no meaning on their own; dropped from queries when other words remain.
STOPWORDS = frozenset(
    ["的", "了", "和", "与", "及", "在", "是", "之", "或", "等", "对", "把", "被", "个"]
)
_NOT_WORD = re.compile(r"[^\w+#]|_")  # c++ and c# stay words
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
_SPACES = re.compile(r"\s+")
# Region suffixes: "吴忠市" is also added as "吴忠" so search mode emits the short name as a
# sub-word.
_REGION_SUFFIXES = (
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "新区",
    "市",
    "区",
    "县",
    "旗",
    "省",
)

# Short strings (titles, keywords, labels) repeat from record to record: their analysis is cached,
# in bounded caches (a few tens of MB at most). Longer ones (extracted text, long descriptions)
# rarely repeat: analysed each time.
CACHED_LENGTH = 48
CACHE_SIZE = 32768
# Longer texts are analysed clause by clause, each clause through the same caches: descriptions
# repeat their phrases (a template, a school's boilerplate) while the whole rarely repeats.
# Splitting at these marks changes nothing: each becomes a space on normalising, no character
# composes with them, and they are not case-ignorable, so a final sigma before one stays final.
# Segmentation and bigrams never cross a space: normalised text is analysed piece by piece.
# tests/unit/metadata/test_analysis_clauses.py holds both ways to the same result.
_CLAUSE = re.compile(r"[，。、；！？（）《》\n]")

_dictionary_lock = threading.Lock()
_dictionary_loaded = False


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Traditional -> simplified, character by character from OpenCC's table (100x faster than its
    converter)."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[source] = target
    # Follow chains to a fixed point so that converting twice changes nothing.
    for source in list(table):
        seen = {source}
        target = table[source]
        while target in table and target not in seen:
            seen.add(target)
            target = table[target]
        table[source] = target
    return {ord(k): v for k, v in table.items() if k != v}


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    return frozenset(chr(k) for k in _t2s_table())


def _nfkc(text: str) -> str:
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _fold(text: str) -> str:
    text = _nfkc(text).lower()
    if not _traditional().isdisjoint(text):
        text = text.translate(_t2s_table())
    return _nfkc(text)


def _strip_punctuation(text: str) -> str:
    """Punctuation, symbols and marks become spaces (letters, digits, CJK, '+' and '#' stay)."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()


def normalize(text: str | None) -> str:
    """NFKC (full-width to half-width), lower case, traditional to simplified, punctuation to single
    spaces."""
    if not text:
        return ""
    if len(text) <= CACHED_LENGTH:
        return _normalize_cached(text)
    return " ".join(filter(None, map(_normalize_clause, _CLAUSE.split(text))))


def _normalize_clause(text: str) -> str:
    return _normalize_cached(text) if len(text) <= CACHED_LENGTH else _normalize(text)


@lru_cache(maxsize=CACHE_SIZE)
def _normalize_cached(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    result = _strip_punctuation(_fold(text))
    # Rare characters fold into other foldable ones: repeat until nothing changes, so normalising is
    # idempotent.
    for _ in range(3):
        if _fold(result) == result:
            break
        result = _strip_punctuation(_fold(result))
    return result


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _ensure_dictionary() -> None:
    global _dictionary_loaded
    if _dictionary_loaded:
        return
    with _dictionary_lock:
        if not _dictionary_loaded:
            for word in vocabulary_words():
                rjieba.add_word(word, 20000, None)
            _dictionary_loaded = True


def vocabulary_words() -> set[str]:
    """Chinese labels of every vocabulary (and short region names) to teach the segmenter."""
    words: set[str] = set()
    for text in _vocabulary_strings():
        word = normalize(text)
        if has_cjk(word) and " " not in word and 2 <= len(word) <= 12:
            words.add(word)
            for suffix in _REGION_SUFFIXES:
                if word.endswith(suffix) and len(word) - len(suffix) >= 2:
                    words.add(word[: -len(suffix)])
                    break
    return words


def _vocabulary_strings():
    try:
        data = load_vocabularies()
    except Exception:  # a vocabulary the parser refuses: read the raw data files instead
        folder = Path(__file__).parent / "vocabularies"
        data = []
        for path in sorted(folder.glob("*.json")):
            try:
                data.append(json.loads(path.read_text(encoding="utf-8")))
            except ValueError:
                continue
    yield from _walk_strings(data)


def _walk_strings(value, depth: int = 0):
    if depth > 8:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _walk_strings(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk_strings(item, depth + 1)
    elif hasattr(value, "__dict__"):
        yield from _walk_strings(vars(value), depth + 1)


def tokens(text: str | None, *, normalized: bool = False) -> list[str]:
    """Search-mode words of the normalised text, in order, repeats kept (they are term
    frequencies)."""
    normal = (text or "") if normalized else normalize(text)
    if not normal:
        return []
    if len(normal) <= CACHED_LENGTH:
        return list(_tokens_cached(normal))
    return _tokens(normal)


@lru_cache(maxsize=CACHE_SIZE)
def _tokens_cached(normal: str) -> tuple[str, ...]:
    return tuple(_tokens(normal))


def _tokens(normal: str) -> list[str]:
    _ensure_dictionary()
    # strip() removes exactly what isspace() tests for, so a non-empty stripped token is never
    # blank.
    return [token for token in map(str.strip, rjieba.cut_for_search(normal)) if token]


def words(text: str) -> list[str]:
    """Precise-mode segmentation of already normalised text (no overlapping sub-words)."""
    _ensure_dictionary()
    return list(rjieba.cut(text))


def query_tokens(text: str | None) -> list[str]:
    """Distinct words of a query; function words are dropped unless nothing else is left."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        seen.setdefault(token, None)
    words = list(seen)
    meaningful = [w for w in words if w not in STOPWORDS]
    return meaningful or words


def bigrams(text: str | None, *, normalized: bool = False) -> list[str]:
    """CJK character bigrams of the normalised text (for recall of sub-words such as 吴忠 in 吴忠
    市)."""
    out: list[str] = []
    for run in _CJK_RUN.findall((text or "") if normalized else normalize(text)):
        out += map(
            add, run, run[1:]
        )  # run[i] + run[i + 1], i.e. run[i:i + 2], without the slicing loop
    return out


def token_bigrams(token: str) -> list[str]:
    """Bigrams one query word needs in the bigram field; empty for single characters and non-CJK
    words."""
    runs = _CJK_RUN.findall(token)
    if len(runs) != 1 or runs[0] != token or len(token) < 2:
        return []
    return list(dict.fromkeys(token[i : i + 2] for i in range(len(token) - 1)))


def index_text(text: str | None, *, normalized: bool = False) -> str:
    """Pre-tokenised text for a whitespace analyser: the words joined by spaces."""
    normal = (text or "") if normalized else normalize(text)
    if len(normal) <= CACHED_LENGTH:
        return _index_text_cached(normal)
    return " ".join(filter(None, map(_index_text_piece, normal.split(" "))))


def _index_text_piece(piece: str) -> str:
    return _index_text_cached(piece) if len(piece) <= CACHED_LENGTH else " ".join(_tokens(piece))


@lru_cache(maxsize=CACHE_SIZE)
def _index_text_cached(normal: str) -> str:
    return " ".join(_tokens(normal)) if normal else ""


def bigram_text(parts, *, normalized: bool = False) -> str:
    """The bigrams of every part, space separated, in order."""
    texts = []
    for part in parts:
        if part:
            normal = part if normalized else normalize(part)
            if normal:
                texts += map(_bigram_text_piece, normal.split(" "))
    return " ".join(t for t in texts if t)


def _bigram_text_piece(piece: str) -> str:
    if len(piece) <= CACHED_LENGTH:
        return _bigram_text_cached(piece)
    return " ".join(bigrams(piece, normalized=True))


@lru_cache(maxsize=CACHE_SIZE)
def _bigram_text_cached(normal: str) -> str:
    return " ".join(bigrams(normal, normalized=True))


def analyse(text: str | None) -> tuple[str, str, str]:
    """(`normalize(text)`, `index_text` and `bigram_text` of it) at once: a document needs all three
    of its title and description, and one cache lookup per clause is cheaper than three."""
    if not text:
        return "", "", ""
    if len(text) <= CACHED_LENGTH:
        return _analyse_cached(text)
    # The clauses `normalize` splits at; words and bigrams never cross them (see _CLAUSE).
    parts = [_analyse_clause(clause) for clause in _CLAUSE.split(text)]
    normal, words, pairs = (" ".join(filter(None, column)) for column in zip(*parts, strict=True))
    return normal, words, pairs


def _analyse_clause(text: str) -> tuple[str, str, str]:
    return _analyse_cached(text) if len(text) <= CACHED_LENGTH else _analyse(text)


@lru_cache(maxsize=CACHE_SIZE)
def _analyse_cached(text: str) -> tuple[str, str, str]:
    return _analyse(text)


def _analyse(text: str) -> tuple[str, str, str]:
    normal = _normalize(text)
    return normal, index_text(normal, normalized=True), bigram_text([normal], normalized=True)


def _normalized_with_map(text: str) -> tuple[str, range | list[int]]:
    """Character-wise folded text and, for each of its characters, the index of the original
    character."""
    # The common case, once per hit per search: every character folds to one character (itself, or
    # e.g. ，to ,), so positions map to themselves and one set operation and one translate do it.
    if not _ONE_TO_ONE.issuperset(text):
        _learn(text)
        if not _ONE_TO_ONE.issuperset(text):
            folded, origin = [], []
            for i, ch in enumerate(text):
                for out in _fold_char(ch):
                    folded.append(out)
                    origin.append(i)
            return "".join(folded), origin
    return text.translate(_ONE_TO_ONE_CHANGES), range(len(text))


def _learn(text: str) -> None:
    for ch in set(text).difference(_ONE_TO_ONE):
        out = _fold_char(ch)
        if len(out) == 1:
            if out != ch:
                _ONE_TO_ONE_CHANGES[ord(ch)] = (
                    out  # before the set: a reader that sees one sees both
                )
            _ONE_TO_ONE.add(ch)


# Learnt as characters are met (at most the characters in use): those that fold to one character,
# and the translation of those among them that change.
_ONE_TO_ONE: set[str] = set()
_ONE_TO_ONE_CHANGES: dict[int, str] = {}


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    return _fold(ch)


def highlight(text: str | None, words, *, limit: int | None = None) -> str:
    """HTML-escaped `text` with `<mark>` around every occurrence of a query word; cut to `limit`
    around the first."""
    return Highlighter(words).mark((text, limit))[0]


# Joins a hit's fields so they are folded and searched in one pass: no query word holds it, so no
# match crosses from one field into the next.
_FIELD_SEPARATOR = "\n"


class Highlighter:
    """`highlight` for one search's words: the words are ordered once per search, and each hit's
    fields are folded and searched together, once."""

    def __init__(self, words):
        # Longest first: a longer word's match wins over a shorter one inside it.
        self.words = tuple(sorted({w for w in words if w}, key=len, reverse=True))

    def mark(self, *fields: tuple[str | None, int | None]) -> list[str]:
        """Each (text, limit) highlighted as `highlight` would."""
        texts = [text or "" for text, _ in fields]
        spans = self._spans(texts) if self.words else [[] for _ in texts]
        return [
            _cut(text, merged, limit)
            for text, merged, (_, limit) in zip(texts, spans, fields, strict=True)
        ]

    def _spans(self, texts: list[str]) -> list[list[list[int]]]:
        """Per text, the merged spans of the words' occurrences in it."""
        joined = _FIELD_SEPARATOR.join(texts)
        folded, origin = _normalized_with_map(joined)
        found = []
        for word in self.words:
            start = folded.find(word)
            while start >= 0:
                found.append((origin[start], origin[start + len(word) - 1] + 1))
                start = folded.find(word, start + len(word))
        per_text, offset = [], 0
        for text in texts:
            end = offset + len(text)
            per_text.append(
                _merge((a - offset, b - offset) for a, b in found if offset <= a and b <= end)
            )
            offset = end + len(_FIELD_SEPARATOR)
        return per_text


def _cut(text: str, merged, limit: int | None) -> str:
    begin, end = 0, len(text)
    if limit and len(text) > limit:
        first = merged[0][0] if merged else 0
        begin = max(0, min(first - limit // 4, len(text) - limit))
        end = begin + limit
    return _render(text, merged, begin, end)


def _merge(spans):
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _render(text: str, spans, begin: int, end: int) -> str:
    out, pos = [], begin
    for start, stop in spans:
        start, stop = max(start, begin), min(stop, end)
        if start >= stop:
            continue
        out.append(html.escape(text[pos:start]))
        out.append("<mark>" + html.escape(text[start:stop]) + "</mark>")
        pos = stop
    out.append(html.escape(text[pos:end]))
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix
