"""The "did you mean" contract: every engine proposes the same correction, built only from what the
caller may read."""

from __future__ import annotations

import pytest

from hub.search import PUBLIC, SearchQuery
from tests.integration.search.test_contract import MEMBER_OF_SCHOOL_A


def correction(index, q, **kwargs):
    found = index.did_you_mean(SearchQuery(q=q, **kwargs))
    return (found.q, found.total) if found else None


def total(index, q, **kwargs):
    return index.search(SearchQuery(q=q, size=1, **kwargs)).total


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("fenshu", "分数"),  # pinyin without tones
        ("fen shu", "分数"),  # pinyin typed as syllables
        ("FenShu", "分数"),
        ("gougudingli", "勾股定理"),
        ("分树", "分数"),  # a homophone picked by the input method
        ("勾骨定理", "勾股定理"),
        ("mathematics", "数学"),  # a vocabulary term in English
        ("分数 xyzzy", "分数"),  # a word that matches nothing is dropped
        ("niudun xyzzy", "牛顿"),
    ],
)
def test_a_query_that_finds_nothing_gets_a_correction_that_does(index, typed, meant):
    assert total(index, typed) == 0
    assert correction(index, typed) == (meant, total(index, meant))
    assert total(index, meant) > 0


@pytest.mark.parametrize("q", ["分数", "xyzzy", "", "   ", "的", "%%%"])
def test_no_correction_when_the_query_finds_something_or_nothing_is_close(index, q):
    assert correction(index, q) is None


def test_the_correction_keeps_the_filters(index):
    assert correction(index, "fenshu", filters={"subjects": ["math"]}) == (
        "分数",
        total(index, "分数", filters={"subjects": ["math"]}),
    )
    assert correction(index, "fenshu", filters={"subjects": ["chinese"]}) is None


def test_a_correction_is_never_built_from_records_the_caller_may_not_read(index):
    # 练习册 is only in the title of an org-only record of school A.
    assert correction(index, "lianxice", scope=PUBLIC) is None
    assert correction(index, "lianxice", scope=MEMBER_OF_SCHOOL_A) == ("练习册", 1)


def test_the_count_is_the_callers_own(index):
    public, member = (
        correction(index, "fenshu"),
        correction(index, "fenshu", scope=MEMBER_OF_SCHOOL_A),
    )
    assert public[0] == member[0] == "分数" and member[1] == public[1] + 1
