"""Copies of one work are found once, on every engine: the lead copy stands for the others."""

from __future__ import annotations

from hub.search import EVERYTHING, SearchQuery
from tests.integration.search.conftest import documents


def test_a_work_is_found_once_and_counted_once(fresh_index, records):
    lead, copy, other = (dict(r) for r in records[:3])
    copy.update(title=lead["title"], subjects=lead["subjects"], work_id=lead["id"])
    lead["work_id"] = lead["id"]
    fresh_index.index_documents(documents([lead, copy, other]))
    fresh_index.commit()

    found = fresh_index.search(SearchQuery(q=lead["title"], facets=("subjects",), size=20))
    assert copy["id"] not in [h.id for h in found.hits]
    assert lead["id"] in [h.id for h in found.hits]
    everyone = fresh_index.search(SearchQuery(size=20))
    assert sorted(h.id for h in everyone.hits) == sorted([lead["id"], other["id"]])
    assert everyone.total == 2

    # Administrators' listings (not limited to published latest copies) still see every copy.
    listing = fresh_index.search(SearchQuery(scope=EVERYTHING, size=20))
    assert copy["id"] in [h.id for h in listing.hits]

    # Unlinked again, the copy is found on its own.
    copy["work_id"] = None
    fresh_index.index_documents(documents([copy]))
    fresh_index.commit()
    assert fresh_index.search(SearchQuery(size=20)).total == 3
