"""One page mixing every kind of item gives exactly the right outcomes and rows, written
page-at-a-time (Core) or record by record (ORM, the path of batches with files and of batches redone
one savepoint per record)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.db.models import Change, OutboxMessage, Resource
from hub.db.models.sources import SyncFailure
from hub.harvest.runner import OrmWriter, SyncRunner
from hub.security.principal import SYSTEM
from tests.integration.sync.conftest import set_items
from tests.support.fake_source import record

FIRST = [{"op": "upsert", "id": f"ext-{n}", "record": record(n)} for n in (1, 2, 3)]
PAGE = [
    {"op": "upsert", "id": "ext-1", "record": record(1)},  # unchanged
    {"op": "upsert", "id": "ext-2", "record": record(2, title="改过的标题")},  # updated
    {"op": "delete", "id": "ext-3"},  # deleted
    {"op": "upsert", "id": "ext-4", "record": record(4)},  # created
    {"op": "upsert", "id": "ext-5", "record": record(5, type="no-such-type")},  # failed: invalid
    {
        "op": "fail",
        "id": "ext-6",
        "reason": "unreadable",
        "payload": {"raw": "<record/>"},
    },  # failed at the source
    {"op": "upsert", "id": "ext-7", "record": record(7)},  # created ...
    {
        "op": "upsert",
        "id": "ext-7",
        "record": record(7, title="第二次的标题"),
    },  # ... then updated in the page
    {"op": "upsert", "id": "ext-8", "record": record(8)},  # created ...
    {"op": "upsert", "id": "ext-8", "record": record(8)},  # ... then the same again
    {"op": "upsert", "id": "ext-10", "record": record(10)},  # created ...
    {"op": "delete", "id": "ext-10"},  # ... then deleted in the page
    {"op": "delete", "id": "ext-99"},  # never heard of: nothing
]

# The change feed's rows for PAGE, in the order the records were applied.
CHANGES = [
    ("ext-2", "upsert"),
    ("ext-3", "delete"),
    ("ext-4", "upsert"),
    ("ext-7", "upsert"),
    ("ext-7", "upsert"),
    ("ext-8", "upsert"),
    ("ext-10", "upsert"),
    ("ext-10", "delete"),
]


@pytest.fixture(params=["page", "record"])
def path(request, monkeypatch):
    if request.param == "record":
        monkeypatch.setattr(
            SyncRunner, "_writer", lambda self, uow, _orm: OrmWriter(uow, self.state, self.fetcher)
        )
    return request.param


def sync(hub, source_id):
    run = hub.sync.start(SYSTEM, source_id)
    return hub.sync.run(run["id"])


def rows(hub, source_id):
    with hub.uow() as uow:
        found = uow.session.scalars(select(Resource).where(Resource.source_id == source_id)).all()
        return {r.external_id: (r.status, r.title, r.revision) for r in found}


def changes_since(hub, seq):
    with hub.uow() as uow:
        return [
            (external_id, op)
            for external_id, op in uow.session.execute(
                select(Resource.external_id, Change.op)
                .join(Resource, Resource.id == Change.resource_id)
                .where(Change.seq > seq)
                .order_by(Change.seq)
            ).all()
        ]


def last_seq(hub):
    with hub.uow() as uow:
        return uow.session.scalar(select(Change.seq).order_by(Change.seq.desc()).limit(1)) or 0


def test_a_mixed_page_gives_exactly_the_right_outcomes_and_rows(hub, make_source, path):
    source_id = make_source(items=FIRST)
    sync(hub, source_id)
    before, seq = rows(hub, source_id), last_seq(hub)
    set_items(
        hub, source_id, FIRST + PAGE
    )  # the cursor resumes after FIRST: the run reads exactly PAGE

    run = sync(hub, source_id)

    assert run["status"] == "partial"
    assert run["counts"] == {"created": 4, "updated": 2, "deleted": 2, "unchanged": 3, "failed": 2}
    after = rows(hub, source_id)
    assert sorted(after) == ["ext-1", "ext-10", "ext-2", "ext-3", "ext-4", "ext-7", "ext-8"]
    assert after["ext-1"] == before["ext-1"]
    assert after["ext-2"] == ("published", "改过的标题", before["ext-2"][2] + 1)
    assert after["ext-3"][0] == "withdrawn"
    assert after["ext-7"][:2] == ("published", "第二次的标题")
    assert after["ext-10"][0] == "withdrawn"
    assert changes_since(hub, seq) == CHANGES


def test_a_mixed_page_keeps_its_failures_and_indexes_what_it_wrote_through_one_message(
    hub, make_source, path
):
    source_id = make_source(items=FIRST)
    sync(hub, source_id)
    set_items(hub, source_id, FIRST + PAGE)
    with hub.uow() as uow:
        seen = uow.session.scalar(
            select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)
        )

    run = sync(hub, source_id)

    failures = {f["external_id"]: f for f in hub.sync.failures(SYSTEM, run["id"])}
    assert sorted(failures) == ["ext-5", "ext-6"]
    assert (
        "type" in failures["ext-5"]["reason"]
        and failures["ext-5"]["payload"]["record"]["type"] == "no-such-type"
    )
    assert failures["ext-6"]["reason"] == "unreadable" and failures["ext-6"]["payload"] == {
        "raw": "<record/>"
    }
    with hub.uow() as uow:
        messages = uow.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id > seen, OutboxMessage.topic == "resource.index_batch"
            )
        ).all()
        ids = {
            r.external_id: r.id
            for r in uow.session.scalars(select(Resource).where(Resource.source_id == source_id))
        }
    assert [m.payload["ids"] for m in messages] == [
        [ids[e] for e in ("ext-2", "ext-3", "ext-4", "ext-7", "ext-8", "ext-10")]
    ]
    with hub.uow() as uow:
        assert (
            uow.session.scalar(select(SyncFailure.id).where(SyncFailure.external_id == "ext-4"))
            is None
        )


def test_a_record_listed_twice_in_a_page_is_one_row(hub, make_source, path):
    twice = [
        {"op": "upsert", "id": "ext-1", "record": record(1)},
        {"op": "upsert", "id": "ext-1", "record": record(1, description="第二次")},
    ]
    source_id = make_source(items=twice)
    run = sync(hub, source_id)
    assert run["counts"] == {"created": 1, "updated": 1, "deleted": 0, "unchanged": 0, "failed": 0}
    with hub.uow() as uow:
        found = uow.session.scalars(select(Resource).where(Resource.source_id == source_id)).all()
        assert [(r.description, r.revision, r.status) for r in found] == [
            ("第二次", 2, "published")
        ]


def test_a_review_source_writes_no_change_rows(hub, make_source, path):
    source_id = make_source(items=FIRST, review=True)
    seq = last_seq(hub)
    assert sync(hub, source_id)["counts"]["created"] == 3
    assert set(rows(hub, source_id)) == {"ext-1", "ext-2", "ext-3"}
    assert {status for status, _title, _revision in rows(hub, source_id).values()} == {"submitted"}
    assert changes_since(hub, seq) == []


def test_a_page_the_database_refuses_is_redone_record_by_record(hub, make_source, monkeypatch):
    from hub.harvest.batch import HarvestBatch

    write, calls = HarvestBatch.write, []

    def refuse_once(self):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database refused the page")
        return write(self)

    source_id = make_source(items=FIRST)
    sync(hub, source_id)
    set_items(hub, source_id, FIRST + PAGE)
    seq = last_seq(hub)
    monkeypatch.setattr(HarvestBatch, "write", refuse_once)

    run = sync(hub, source_id)

    assert calls == [1]  # refused once; the redo went the ORM way, one savepoint per record
    assert run["counts"] == {"created": 4, "updated": 2, "deleted": 2, "unchanged": 3, "failed": 2}
    assert changes_since(hub, seq) == CHANGES
    assert sorted(f["external_id"] for f in hub.sync.failures(SYSTEM, run["id"])) == [
        "ext-5",
        "ext-6",
    ]
