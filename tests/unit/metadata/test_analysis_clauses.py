"""Long texts are analysed clause by clause through the caches: exactly as analysing them whole."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from metadata import analysis

# Clause marks next to what could cross them: combining marks, a sigma that is final or not,
# full-width and traditional characters, apostrophes and dots (case-ignorable), spaces, Latin.
TRICKY = list("，。、；！？（）《》\n ΣσΑa'.．：·") + ["\u0301", "\u0338", "\u3099", "=", "<"]
WORDS = ["黄河文化", "沙坡头", "勾股定理", "課後練習", "ＡＢＣ", "c++", "第7号", "School life"]
texts = st.lists(st.sampled_from(TRICKY + WORDS), min_size=20, max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_clause_by_clause_is_the_same_as_whole(text):
    whole = analysis._normalize(text)
    assert analysis.normalize(text) == whole
    assert analysis.index_text(whole, normalized=True) == " ".join(analysis._tokens(whole))
    assert analysis.bigram_text([whole], normalized=True) == " ".join(
        analysis.bigrams(whole, normalized=True)
    )


def test_a_long_description_through_the_caches():
    text = (
        "体现民族团结一家亲，贺兰山的老师为七年级英语《School life 校园生活》编写。分层设计的练习。"
    )
    assert analysis.normalize(text) == analysis._normalize(text)
    assert "贺兰山" in analysis.index_text(text).split(" ")


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts, st.text(max_size=60)))
def test_one_pass_gives_what_the_three_steps_give(text):
    """`analyse` (a document's title and description, one cache lookup per clause)."""
    normal = analysis.normalize(text)
    expected = (
        normal,
        analysis.index_text(normal, normalized=True),
        analysis.bigram_text([normal], normalized=True),
    )
    assert analysis.analyse(text) == expected
    assert analysis.analyse(text) == expected  # from the cache
