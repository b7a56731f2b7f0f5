"""Copies of one work on every engine: the index keeps each copy (each is found by the searches
its own description matches); the search service shows the best-ranked copy of a work once."""

from __future__ import annotations

from hub.search import SearchQuery
from hub.services.search import one_per_work
from tests.integration.search.conftest import documents


def test_each_copy_stays_findable_by_what_describes_it(fresh_index, records):
    lead, copy, other = (dict(r) for r in records[:3])
    copy.update(title=lead["title"], work_id=lead["id"])  # the same files, another school's tags
    lead["work_id"] = lead["id"]
    fresh_index.index_documents(documents([lead, copy, other]))
    fresh_index.commit()

    found = fresh_index.search(SearchQuery(q=lead["title"], size=20))
    assert {lead["id"], copy["id"]} <= {h.id for h in found.hits}
    only_copy = fresh_index.search(
        SearchQuery(filters={"subjects": list(copy["subjects"])}, size=20)
    )
    assert copy["id"] in [h.id for h in only_copy.hits]


def test_the_service_keeps_the_best_ranked_copy_of_each_work():
    hits = [
        {"id": "b", "work_id": "a"},
        {"id": "c", "work_id": None},
        {"id": "a", "work_id": "a"},
        {"id": "d"},
    ]
    assert [h["id"] for h in one_per_work(hits)] == ["b", "c", "d"]
