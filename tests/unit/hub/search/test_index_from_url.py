"""Choosing the search adapter from EDUHUB_SEARCH_URL: the in-memory fake."""

from __future__ import annotations

import pytest

from hub.search import SearchQuery, document_from_record, index_from_url
from hub.search.memory import MemoryIndex

RECORD = {
    "id": "r1",
    "title": "分数的加法",
    "status": "published",
    "visibility": "public",
    "updated": "2026-01-01T00:00:00Z",
}


def test_a_memory_url_gives_a_fresh_index_each_time():
    first, second = index_from_url("memory://"), index_from_url("memory://")
    assert isinstance(first, MemoryIndex) and first is not second
    first.index_documents([document_from_record(RECORD, [1])])
    first.commit()
    assert (first.count(), second.count()) == (1, 0)


def test_a_named_memory_url_is_one_index_per_process():
    writer = index_from_url("memory://unit-shared-index")
    assert index_from_url("memory://unit-shared-index/") is writer


def test_writes_are_invisible_until_commit():
    index = index_from_url("memory://")
    index.index_documents([document_from_record(RECORD, [1])])
    assert index.search(SearchQuery(q="分数")).total == 0
    index.commit()
    assert [h.id for h in index.search(SearchQuery(q="分数")).hits] == ["r1"]
    index.delete_documents(["r1"])
    assert index.count() == 1
    index.commit()
    assert index.count() == 0


def test_unknown_schemes_name_memory_among_the_choices():
    with pytest.raises(ValueError, match="memory://"):
        index_from_url("solr://localhost")
