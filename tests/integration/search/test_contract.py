"""The search contract: every engine returns what the plain-Python oracle says, for the same
corpus."""

from __future__ import annotations

import pytest

from hub.errors import ValidationFailed
from hub.search import EVERYTHING, FACETS, PUBLIC, Scope, SearchQuery
from tests.integration.search import corpus
from tests.integration.search.conftest import documents

MEMBER_OF_SCHOOL_A = Scope(public_only=False, org_ids=(5,))
IN_WUZHONG_DISTRICT = Scope(public_only=False, regions=("640302",))
SIGNED_IN_ELSEWHERE = Scope(public_only=False, regions=("640104",))


def ids(result):
    return [hit.id for hit in result.hits]


def search(index, **kwargs):
    kwargs.setdefault("size", 100)
    return index.search(SearchQuery(**kwargs))


FILTER_CASES = [
    {},
    {"subjects": ["math"]},
    {"subjects": ["math"], "stage": ["primary"]},
    {"subjects": ["math", "chinese"], "type": ["courseware"]},
    {"grades": ["g5"], "edition": ["pep"], "volume": ["vol2"]},
    {"themes": ["yellow-river", "red-culture"]},
    {"region": ["640300"]},
    {"region": ["640100"], "license": ["CC-BY-4.0"]},
    {"source": ["national"]},
    {"org": ["wuzhong-edu"]},
    {"org_tree": ["2"]},
]


@pytest.mark.parametrize("filters", FILTER_CASES)
def test_exact_filters_return_exactly_the_matching_readable_records(index, records, filters):
    result = search(index, filters=filters)
    expected = corpus.matching(records, filters)
    assert sorted(ids(result)) == sorted(r["id"] for r in expected)
    assert result.total == len(expected)


@pytest.mark.parametrize("filters", FILTER_CASES[:7])
def test_facet_counts_exclude_only_their_own_filter(index, records, filters):
    result = search(index, filters=filters, facets=FACETS, size=1)
    for facet in FACETS:
        others = {k: v for k, v in filters.items() if k != facet}
        expected = corpus.facet_counts(corpus.matching(records, others), facet)
        assert dict(result.aggregations[facet]) == expected, facet
        counts = [count for _, count in result.aggregations[facet]]
        assert counts == sorted(counts, reverse=True)


def test_region_filter_on_a_city_finds_its_districts(index):
    found = set(ids(search(index, filters={"region": ["640300"]})))
    assert {"wuzhong-river", "litong-agri"} <= found


@pytest.mark.parametrize(
    "q, best",
    [
        ("分数的加法", "frac-add"),
        ("勾股定理", "pythagoras"),
        ("黄河文化", "wuzhong-river"),
        ("牛顿第一定律 惯性", "physics-newton"),
        ("函数复习", "function-review"),
        ("hello 问候", "english-greetings"),
        ("新能源", "energy-ningdong"),
    ],
)
def test_plain_chinese_query_puts_the_obvious_resource_first(index, q, best):
    assert ids(search(index, q=q, size=5))[0] == best


def test_sub_word_wuzhong_finds_records_of_wuzhong_city(index):
    found = ids(search(index, q="吴忠"))
    assert {"wuzhong-river", "litong-agri"} <= set(found)


def test_traditional_query_finds_simplified_text(index):
    assert ids(search(index, q="數學函數複習"))[0] == "function-review"
    assert set(ids(search(index, q="數學"))) == set(ids(search(index, q="数学")))


def test_full_width_query_equals_half_width(index):
    assert ids(search(index, q="ＨＥＬＬＯ")) == ids(search(index, q="hello")) != []


def test_every_word_must_match(index):
    assert ids(search(index, q="分数 勾股定理")) == []


def test_scope_hides_org_only_records_and_their_counts(index, records):
    anonymous = search(index, q="分数", facets=("org", "visibility"))
    assert "org-only" not in ids(anonymous) and "region-only" not in ids(anonymous)
    assert "school-a" not in dict(anonymous.aggregations["org"])
    assert dict(anonymous.aggregations["visibility"]) == {"public": anonymous.total}

    member = search(index, q="分数", facets=("org",), scope=MEMBER_OF_SCHOOL_A)
    assert "org-only" in ids(member)
    assert dict(member.aggregations["org"])["school-a"] == 1


def test_region_visibility_reaches_the_region_and_nobody_else(index):
    assert "region-only" in ids(search(index, q="分数", scope=IN_WUZHONG_DISTRICT))
    assert "region-only" not in ids(search(index, q="分数", scope=SIGNED_IN_ELSEWHERE))
    assert "region-only" not in ids(search(index, q="分数", scope=MEMBER_OF_SCHOOL_A))


def test_drafts_and_old_versions_are_never_found(index):
    for scope in (PUBLIC, MEMBER_OF_SCHOOL_A, Scope(public_only=False, all=True)):
        found = ids(search(index, q="分数的加法", scope=scope))
        assert "draft" not in found and "old-version" not in found
    everything = ids(search(index, q="分数的加法", scope=EVERYTHING))
    assert {"draft", "old-version"} <= set(everything)


@pytest.mark.parametrize("sort, key", [("newest", "published"), ("downloads", "downloads")])
def test_sorts_follow_the_field_in_every_engine(index, records, sort, key):
    expected = sorted(
        corpus.matching(records, {"subjects": ["math"]}), key=lambda r: r[key], reverse=True
    )
    assert ids(search(index, filters={"subjects": ["math"]}, sort=sort)) == [
        r["id"] for r in expected
    ]


def test_relevance_without_words_means_newest(index):
    assert ids(search(index, sort="relevance", size=10)) == ids(
        search(index, sort="newest", size=10)
    )


def test_pages_partition_the_results(index, records):
    pages = [ids(search(index, sort="downloads", page=page, size=7)) for page in range(1, 10)]
    flat = [i for page in pages for i in page]
    assert flat == ids(search(index, sort="downloads"))
    assert len(flat) == len(set(flat)) == len(corpus.matching(records, {}))


def test_highlights_mark_the_matched_words_and_escape_html(index):
    hit = search(index, q="分数 加法", size=1).hits[0]
    assert hit.highlights["title"] == "<mark>分数</mark>的<mark>加法</mark>"
    assert "<mark>" in hit.highlights["description"]


@pytest.mark.parametrize("prefix", ["分数", "fenshu", "fs", "FenShu", "ｆｓ"])
def test_suggest_completes_chinese_prefixes_pinyin_and_initials(index, prefix):
    titles = [s.title for s in index.suggest(prefix)]
    assert "分数的加法" in titles and "分数乘法" in titles
    assert all(t not in titles for t in ("校本分数练习册", "分数的加法草稿"))


def test_suggest_also_starts_at_later_words_and_honours_scope(index):
    assert "勾股定理的证明" in [s.title for s in index.suggest("zhengming")]
    assert "校本分数练习册" in [s.title for s in index.suggest("fenshulianxi", MEMBER_OF_SCHOOL_A)]
    assert index.suggest("fenshulianxi") == []
    assert index.suggest("  ，") == []


def test_count_and_versions_cover_every_document(index, records):
    assert index.count() == len(records)
    assert index.all_ids_with_versions() == {r["id"]: r["updated"] for r in records}


def test_upsert_replaces_and_delete_removes(fresh_index, records):
    fresh_index.index_documents(documents(records[:3]))
    fresh_index.commit()
    changed = dict(records[0], title="分数的加法（修订）", updated="2026-01-01T00:00:00Z")
    fresh_index.index_documents(documents([changed]))
    fresh_index.delete_documents([records[1]["id"]])
    fresh_index.commit()
    assert fresh_index.count() == 2
    assert fresh_index.all_ids_with_versions()[changed["id"]] == "2026-01-01T00:00:00Z"
    assert ids(search(fresh_index, q="修订")) == [changed["id"]]


def test_deleting_a_document_the_index_never_had_is_not_an_error(fresh_index, records):
    # A draft's file is extracted and its resource "removed" from the index, where drafts never
    # are: on a search server that delete answers 404, which must not fail the worker's task.
    fresh_index.index_documents(documents(records[:1]))
    fresh_index.delete_documents(["never-indexed", records[0]["id"]])
    fresh_index.commit()
    assert fresh_index.count() == 0


def test_rebuild_swaps_in_a_new_index_and_reports_progress(fresh_index, records):
    fresh_index.index_documents(documents(records[:5]))
    fresh_index.commit()
    seen = []
    assert fresh_index.rebuild(iter(documents(records[5:15])), progress=seen.append) == 10
    assert sum(seen) == 10
    assert fresh_index.count() == 10
    assert records[0]["id"] not in fresh_index.all_ids_with_versions()
    fresh_index.check_ready()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"size": 101},
        {"size": 0},
        {"page": 0},
        {"sort": "random"},
        {"filters": {"colour": ["red"]}},
        {"page": 200, "size": 100},
    ],
)
def test_bad_queries_are_refused_before_reaching_an_engine(kwargs):
    with pytest.raises(ValidationFailed):
        SearchQuery(**kwargs)


def test_the_rating_sort_ranks_by_average_then_count_in_every_engine(index, records):
    math = corpus.matching(records, {"subjects": ["math"]})
    expected = sorted(math, key=lambda r: (-round(r["rating_avg"] * 100), -r["rating_count"]))
    assert ids(search(index, filters={"subjects": ["math"]}, sort="rating")) == [
        r["id"] for r in expected
    ]
