"""The "did you mean" logic against a fake index: pinyin, homophones, vocabulary terms, dropped
words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.search import spelling
from hub.search.base import SearchQuery, SearchResult, Suggestion
from metadata import analysis

TITLES = ["分数的加法", "分数乘法", "勾股定理的证明", "牛顿第一定律", "快乐读书吧", "绿色植物"]


class FakeIndex:
    """Every word of the query must be in a title; completions are titles with a word starting with
    the prefix."""

    def __init__(self, titles=TITLES):
        self.titles = titles
        self.searches = []

    def search(self, query):
        self.searches.append(query.q)
        words = analysis.query_tokens(query.q)
        hits = [t for t in self.titles if words and all(w in analysis.normalize(t) for w in words)]
        return SearchResult(total=len(hits), hits=[], aggregations={})

    def suggest(self, prefix, scope, size=8):
        keys = {t: list(analysis.words(analysis.normalize(t))) for t in self.titles}
        found = [
            t
            for t, words in keys.items()
            if any(
                "".join(spelling.pinyin_readings(w)[0] for w in words[i:]).startswith(prefix)
                for i in range(len(words))
            )
        ]
        return [Suggestion(id=str(i), title=t) for i, t in enumerate(found[:size])]


def correct(q, index=None):
    found = spelling.correct(index or FakeIndex(), SearchQuery(q=q))
    return (found.q, found.total) if found else None


def test_pinyin_without_tones_becomes_the_characters_that_read_so():
    assert correct("fenshu") == ("分数", 2)
    assert correct("fen shu") == ("分数", 2)
    assert correct("gougu dingli") == ("勾股定理", 1)


def test_a_homophone_becomes_the_indexed_word():
    assert correct("分树") == ("分数", 2)
    assert correct("牛吨") == ("牛顿", 1)


def test_u_with_umlaut_is_typed_as_v():
    assert spelling.pinyin_readings("绿色")[0] == "lvse"
    assert correct("lvse") == ("绿色", 1)


def test_heteronyms_are_tried_with_their_other_reading():
    assert "kuaiyue" in spelling.pinyin_readings("快乐") and "kuaile" in spelling.pinyin_readings(
        "快乐"
    )


def test_english_and_other_names_of_vocabulary_terms_become_their_chinese_label():
    assert spelling.vocabulary_label("Mathematics") == "数学"
    assert spelling.vocabulary_label("PPT") == "课件"
    assert spelling.vocabulary_label("xyzzy") is None


def test_words_that_match_nothing_are_dropped():
    assert correct("分数 xyzzy") == ("分数", 2)
    assert correct("勾股定理 qqqq 证明") == ("勾股定理 证明", 1)


def test_nothing_is_proposed_when_the_query_finds_something_or_nothing_is_close():
    assert correct("分数") is None
    assert correct("xyzzy") is None
    assert correct("") is None


def test_spellings_find_every_stretch_that_reads_as_the_pinyin():
    assert spelling.spellings("人教版五年级分数乘法", "fenshu") == ["分数"]
    assert spelling.spellings("分数乘法", "fenshuchengfa") == ["分数乘法"]
    assert spelling.spellings("分水岭", "fenshu") == []


def test_long_queries_cost_no_probes():
    index = FakeIndex()
    assert correct(" ".join("xyzzy" for _ in range(spelling.MAX_PARTS + 1)), index) is None
    assert index.searches == []


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(st.characters(), st.sampled_from("分数树fenshu ＡＢ數學 ")), max_size=40
    )
)
def test_correction_never_raises_on_anything_typed(text):
    found = spelling.correct(FakeIndex(), SearchQuery(q=text))
    assert found is None or (found.q and found.total > 0)
    spelling.pinyin_readings(text)
    spelling.spellings(text, analysis.normalize(text).replace(" ", ""))
