"""The in-memory fake ranks, counts and completes exactly as tantivy does, query for query.

The contract suite checks each engine against the oracle; this compares the fake with the embedded
engine directly, on the orders the oracle leaves open (relevance ranking, completion order).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.search import EVERYTHING, FACETS, PUBLIC, SearchQuery, index_from_url
from tests.integration.search import corpus
from tests.integration.search.conftest import documents
from tests.integration.search.test_contract import IN_WUZHONG_DISTRICT, MEMBER_OF_SCHOOL_A

QUERIES = ["分数", "分数的加法", "吴忠", "数学", "函数", "黄河 文化", "练习", "课件", "hello"]
QUERIES += ["春天", "定律", "教学", "研学 枸杞", "三角函数", "中国", "微课", "the", "xyzzy", ""]
PREFIXES = ["fen", "fs", "分", "s", "zh", "huanghe", "xyzzy"]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    tantivy = index_from_url(f"tantivy://{tmp_path_factory.mktemp('tantivy') / 'index'}")
    memory = index_from_url("memory://")
    for index in (tantivy, memory):
        index.ensure()
        index.index_documents(documents(corpus.records()))
        index.commit()
    yield tantivy, memory
    tantivy.close()


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("scope", [PUBLIC, MEMBER_OF_SCHOOL_A, IN_WUZHONG_DISTRICT, EVERYTHING])
def test_the_fake_ranks_and_counts_as_tantivy(engines, q, scope):
    query = SearchQuery(q=q, scope=scope, size=100, facets=FACETS)
    real, fake = (index.search(query) for index in engines)
    assert [h.id for h in fake.hits] == [h.id for h in real.hits]
    assert [h.highlights for h in fake.hits] == [h.highlights for h in real.hits]
    assert (fake.total, fake.aggregations) == (real.total, real.aggregations)
    for mine, theirs in zip(fake.hits, real.hits, strict=True):
        # tantivy stores field lengths in one byte and scores in 32-bit floats: close, not equal.
        assert mine.score == pytest.approx(theirs.score, rel=0.01)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_fake_completes_as_tantivy(engines, prefix):
    real, fake = (index.suggest(prefix, MEMBER_OF_SCHOOL_A) for index in engines)
    assert fake == real


# Characters of the corpus' titles and descriptions, with Latin letters, digits and punctuation.
ALPHABET = "".join(sorted(set("".join(r["title"] + r["description"] for r in corpus.records()))))
ALPHABET += "abcdefghijklmnopqrstuvwxyzＡＢ0123456789 　,.!?%*()[]{}<>&\"'\\/-+#"


@settings(max_examples=60)
@given(q=st.text(alphabet=ALPHABET, max_size=12))
def test_any_typed_query_finds_the_same_records_in_the_same_order(engines, q):
    query = SearchQuery(q=q, scope=MEMBER_OF_SCHOOL_A, size=100, facets=("subjects",))
    real, fake = (index.search(query) for index in engines)
    assert (fake.total, fake.aggregations) == (real.total, real.aggregations)
    assert {h.id for h in fake.hits} == {h.id for h in real.hits}
    # Where two records score alike, the engines may break the tie differently: compare scores.
    real_scores = {h.id: h.score for h in real.hits}
    assert [real_scores[h.id] for h in fake.hits] == pytest.approx(
        [h.score for h in real.hits], rel=0.01
    )
