"""The sync runner against a scripted connector: what a run writes, counts, resumes, withdraws and
keeps as failures, on SQLite with memory storage and memory search."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from connectors.base import Delete, Failed, Upsert
from hub.db.models import Resource
from hub.db.models.sources import Source
from hub.errors import Conflict, Forbidden
from hub.search import SearchQuery
from hub.security.principal import SYSTEM
from tests.support.fake_source import record
from tests.unit.hub.services.factories import make_orgs, make_person


class ScriptedConnector:
    """Yields the items it is given, the cursor after each being its position; may break at
    `explode_at`; `retry` answers from `fixed` (else the record fails again)."""

    http = None

    def __init__(self, items, *, explode_at=None, fixed=None):
        self.items, self.explode_at, self.fixed = list(items), explode_at, fixed or {}
        self.cursors: list = []

    def harvest(self, cursor, *, full):
        self.cursors.append(cursor)
        start = 0 if full or cursor is None else int(cursor)
        for index in range(start, len(self.items)):
            if index == self.explode_at:
                raise ConnectionError("the source went away")
            yield _with_cursor(self.items[index], str(index + 1))

    def retry(self, external_id, payload):
        if external_id in self.fixed:
            return Upsert(external_id, self.fixed[external_id])
        return Failed(external_id, "still broken", payload)


def _with_cursor(item, cursor):
    if isinstance(item, Upsert):
        return Upsert(item.external_id, item.record, item.files, cursor)
    if isinstance(item, Delete):
        return Delete(item.external_id, cursor)
    return Failed(item.external_id, item.reason, item.payload, cursor)


def upserts(*numbers, **overrides) -> list[Upsert]:
    return [Upsert(f"ext-{n}", record(n, **overrides)) for n in numbers]


@pytest.fixture
def orgs(hub):
    return make_orgs(hub)


@pytest.fixture
def source_id(hub, orgs):
    return make_source(hub, orgs["xq"].id)


def make_source(hub, org_id, name="partner", **fields) -> int:
    with hub.db.session() as session:
        source = Source(name=name, kind="fake", url="http://source.example", org_id=org_id)
        for key, value in fields.items():
            setattr(source, key, value)
        session.add(source)
        session.commit()
        return source.id


def sync(hub, source_id, connector, *, full=False) -> dict:
    run = hub.sync.start(SYSTEM, source_id, full=full)
    return hub.sync.run(run["id"], connector=connector)


def harvested(hub, source_id) -> dict[str, Resource]:
    with hub.db.session() as session:
        rows = session.scalars(select(Resource).where(Resource.source_id == source_id))
        return {r.external_id: r for r in rows}


def saved_cursor(hub, source_id):
    with hub.db.session() as session:
        return session.get(Source, source_id).cursor


def counts(**nonzero) -> dict:
    return {**dict.fromkeys(("created", "updated", "deleted", "unchanged", "failed"), 0), **nonzero}


def test_a_run_publishes_its_records_in_the_sources_organisation(hub, source_id):
    run = sync(hub, source_id, ScriptedConnector(upserts(1, 2, 3)))
    assert (run["status"], run["counts"]) == ("succeeded", counts(created=3))
    records = harvested(hub, source_id)
    assert sorted(records) == ["ext-1", "ext-2", "ext-3"]
    assert {r.status for r in records.values()} == {"published"}
    assert saved_cursor(hub, source_id) == "3"

    hub.outbox.process()
    found = hub.index.search(SearchQuery(q="收获的资源", size=10))
    assert sorted(h.id for h in found.hits) == sorted(r.id for r in records.values())


def test_a_review_source_submits_instead_of_publishing(hub, orgs):
    source_id = make_source(hub, orgs["xq"].id, review=True)
    sync(hub, source_id, ScriptedConnector(upserts(1)))
    assert harvested(hub, source_id)["ext-1"].status == "submitted"


def test_the_next_run_resumes_from_the_saved_cursor(hub, source_id):
    sync(hub, source_id, ScriptedConnector(upserts(1, 2)))
    connector = ScriptedConnector(upserts(1, 2, 3))
    assert sync(hub, source_id, connector)["counts"] == counts(created=1)
    assert connector.cursors == ["2"]
    again = ScriptedConnector(upserts(1, 2, 3))
    assert sync(hub, source_id, again, full=True)["counts"] == counts(unchanged=3)
    assert again.cursors == [None]


def test_changes_update_and_deletions_leave_tombstones(hub, source_id):
    sync(hub, source_id, ScriptedConnector(upserts(1, 2)))
    later = upserts(1, 2) + upserts(1, title="新的标题") + [Delete("ext-2")]
    assert sync(hub, source_id, ScriptedConnector(later))["counts"] == counts(updated=1, deleted=1)
    records = harvested(hub, source_id)
    assert records["ext-1"].title == "新的标题"
    assert records["ext-2"].status == "withdrawn"


def test_bad_records_become_failures_and_never_stop_the_run(hub, source_id):
    items = upserts(1)
    items += [Upsert("bad", record(9, subjects=["no-such-subject"]))]
    items += [Failed("broken", "unreadable XML", "<x")] + upserts(2)
    run = sync(hub, source_id, ScriptedConnector(items))
    assert (run["status"], run["counts"]) == ("partial", counts(created=2, failed=2))
    failures = {f["external_id"]: f for f in hub.sync.failures(SYSTEM, run["id"])}
    assert sorted(failures) == ["bad", "broken"]
    assert "unreadable XML" in failures["broken"]["reason"]
    assert failures["broken"]["payload"] == "<x"
    assert saved_cursor(hub, source_id) == "4"  # past the failures: they are kept, not re-read


def test_a_source_that_breaks_mid_run_keeps_what_came_before(hub, source_id):
    run = sync(hub, source_id, ScriptedConnector(upserts(1, 2, 3), explode_at=2))
    assert run["status"] == "failed"
    assert any("went away" in error["message"] for error in run["errors"])
    assert sorted(harvested(hub, source_id)) == ["ext-1", "ext-2"]
    assert saved_cursor(hub, source_id) == "2"
    follow_up = ScriptedConnector(upserts(1, 2, 3))
    assert sync(hub, source_id, follow_up)["counts"] == counts(created=1)


def test_a_full_run_withdraws_what_the_source_no_longer_lists(hub, source_id):
    sync(hub, source_id, ScriptedConnector(upserts(1, 2, 3)))
    run = sync(hub, source_id, ScriptedConnector(upserts(1, 3)), full=True)
    assert run["counts"] == counts(unchanged=2, deleted=1)
    assert harvested(hub, source_id)["ext-2"].status == "withdrawn"


def test_a_full_run_with_failures_withdraws_nothing(hub, source_id):
    sync(hub, source_id, ScriptedConnector(upserts(1, 2, 3)))
    partial = upserts(1) + [Failed("ext-3", "timed out")]
    assert sync(hub, source_id, ScriptedConnector(partial), full=True)["counts"]["deleted"] == 0
    assert {r.status for r in harvested(hub, source_id).values()} == {"published"}


def test_retrying_failures_resolves_those_the_source_now_answers(hub, source_id):
    items = [Failed("ext-1", "timed out"), Failed("ext-2", "timed out")]
    run = sync(hub, source_id, ScriptedConnector(items))
    retry = ScriptedConnector([], fixed={"ext-1": record(1)})
    result = hub.sync.retry_failures(SYSTEM, run["id"], connector=retry)
    assert (result["retried"], result["resolved"]) == (2, 1)
    assert harvested(hub, source_id)["ext-1"].status == "published"
    left = hub.sync.failures(SYSTEM, run["id"], unresolved_only=True)
    assert [(f["external_id"], f["reason"], f["attempts"]) for f in left] == [
        ("ext-2", "still broken", 2)  # read once in the run, once more in the retry
    ]


def test_only_administrators_start_runs_and_only_one_at_a_time(hub, orgs, source_id):
    with pytest.raises(Forbidden):  # even the administrator of the source's organisation
        hub.sync.start(make_person(hub, orgs, ("xq", "org_admin")), source_id)
    hub.sync.start(SYSTEM, source_id)
    with pytest.raises(Conflict):
        hub.sync.start(SYSTEM, source_id)


def test_a_repeated_task_for_a_finished_run_does_nothing(hub, source_id):
    run = hub.sync.start(SYSTEM, source_id)
    hub.sync.run(run["id"], connector=ScriptedConnector(upserts(1)))
    again = ScriptedConnector(upserts(1, 2))
    assert hub.sync.run(run["id"], connector=again)["counts"] == counts(created=1)
    assert again.cursors == []
