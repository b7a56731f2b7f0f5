"""Pinyin keys of titles for the search box's completions: full pinyin and initials, from each word
on."""

from __future__ import annotations

from functools import lru_cache

from metadata.analysis import CACHE_SIZE, CACHED_LENGTH, STOPWORDS, has_cjk, normalize, words

MAX_STARTS = 6  # completions also start at the first few words, not only at the title's start
MAX_KEY = 48  # long keys add nothing to a prefix match


@lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> tuple[str, str]:
    """(full pinyin, initials) of one word; words repeat across titles, so this is cached."""
    if not has_cjk(word):
        return word, word
    # Imported here: its dictionaries cost ~54 MB, needed only where documents are indexed, not in
    # web processes.
    from pypinyin import lazy_pinyin

    syllables = [s for s in lazy_pinyin(word) if s.strip()]
    return "".join(syllables).replace(" ", ""), "".join(s[0] for s in syllables)


def suggest_keys(title: str | None, *, normalized: str | None = None) -> list[str]:
    """Keys whose prefixes complete this title: the normalised title, its pinyin and initials, from
    word starts. `normalized`: the title already normalised (`analysis.normalize(title)`), to save
    doing it twice."""
    compact = (normalize(title) if normalized is None else normalized).replace(" ", "")
    if len(compact) <= CACHED_LENGTH:
        return list(_suggest_keys_cached(compact))
    return _suggest_keys(compact)


@lru_cache(maxsize=CACHE_SIZE)
def _suggest_keys_cached(compact: str) -> tuple[str, ...]:
    return tuple(_suggest_keys(compact))


def _suggest_keys(compact: str) -> list[str]:
    parts = [w for w in words(compact) if w.strip()]
    keys: dict[str, None] = {}
    starts = [i for i, w in enumerate(parts) if w not in STOPWORDS][:MAX_STARTS]
    pinyin = [_word_pinyin(w) for w in parts]
    for start in starts:
        for key in (
            "".join(parts[start:]),
            "".join(p[0] for p in pinyin[start:]),
            "".join(p[1] for p in pinyin[start:]),
        ):
            if key:
                keys.setdefault(key[:MAX_KEY], None)
    return list(keys)


def suggest_prefix(text: str | None) -> str:
    """What a user typed, folded like the keys: '分数' -> '分数', 'Fen Shu' -> 'fenshu'."""
    return normalize(text).replace(" ", "")[:MAX_KEY]
