"""The harvest rule as a pure function: outcomes, status, links, change rows, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from hub.harvest import apply
from hub.harvest.apply import blank_state

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
FIELDS = {"title": "认识百分数", "subjects": ["math"], "stage": "primary"}


def applied_state(base: dict, result: apply.Applied) -> dict:
    return {**base, **result.values}


def test_a_new_record_of_a_publishing_source_is_published_with_a_change_row():
    result = apply.upsert(blank_state("640000"), FIELDS, {}, new=True, publish=True, now=NOW)
    assert result.outcome == "created"
    assert result.values["status"] == "published"
    assert result.values["published"] == NOW
    assert result.values["revision"] == 1
    assert result.change == "upsert"


def test_a_new_record_of_a_review_source_waits_for_review_without_a_change_row():
    result = apply.upsert(blank_state(), FIELDS, {}, new=True, publish=False, now=NOW)
    assert (result.values["status"], result.change) == ("submitted", None)
    assert "published" not in result.values


def test_the_source_date_of_publication_is_kept():
    record = {"published": "2025-03-01T08:00:00Z"}
    result = apply.upsert(blank_state(), FIELDS, record, new=True, publish=True, now=NOW)
    assert result.values["published"] == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def test_a_record_a_reviewer_published_stays_published_when_sent_again():
    first = apply.upsert(blank_state(), FIELDS, {}, new=True, publish=False, now=NOW)
    state = applied_state(blank_state(), first)
    state["status"] = "published"  # a reviewer approved it
    again = apply.upsert(
        state, {**FIELDS, "title": "新标题"}, {}, new=False, publish=False, now=NOW
    )
    assert again.outcome == "updated"
    assert "status" not in again.values
    assert again.change == "upsert"


def test_links_that_are_not_http_are_dropped_and_provenance_must_be_a_dict():
    record = {"origin_url": "javascript:alert(1)", "provenance": ["not", "a", "dict"]}
    result = apply.upsert(blank_state(), FIELDS, record, new=True, publish=True, now=NOW)
    assert "origin_url" not in result.values  # stays None
    assert "provenance" not in result.values  # stays {}


def test_a_tombstone_withdraws_once_and_tells_the_feed_only_what_it_had_published():
    assert apply.tombstone(None, now=NOW).outcome == "unchanged"
    published = {**blank_state(), "status": "published", "revision": 3}
    result = apply.tombstone(published, now=NOW)
    assert (result.outcome, result.change, result.values["revision"]) == ("deleted", "delete", 4)
    submitted = {**blank_state(), "status": "submitted", "revision": 1}
    assert apply.tombstone(submitted, now=NOW).change is None
    withdrawn = applied_state(published, result)
    assert apply.tombstone(withdrawn, now=NOW) == apply.Applied("unchanged")


texts = st.text(min_size=1, max_size=8)
records = st.fixed_dictionaries(
    {},
    optional={
        "origin_url": st.sampled_from(["http://a.example/1", "data:x", " ", "https://b.cn/x"]),
        "provenance": st.one_of(st.none(), st.dictionaries(texts, texts, max_size=2)),
        "published": st.sampled_from([None, "2024-01-02T03:04:05Z", "not a date"]),
    },
)
fields = st.fixed_dictionaries(
    {"title": texts},
    optional={"keywords": st.lists(texts, max_size=3), "description": texts},
)


@given(fields=fields, record=records, publish=st.booleans(), new=st.booleans())
def test_applying_the_same_record_twice_changes_nothing_the_second_time(
    fields, record, publish, new
):
    base = blank_state() if new else {**blank_state(), "status": "withdrawn", "revision": 5}
    first = apply.upsert(base, fields, record, new=new, publish=publish, now=NOW)
    assert first.outcome in ("created", "updated")
    assert first.values["revision"] == base["revision"] + 1
    second = apply.upsert(
        applied_state(base, first), fields, record, new=False, publish=publish, now=NOW
    )
    assert second == apply.Applied("unchanged")
