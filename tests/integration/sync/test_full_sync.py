"""A full sync withdraws what the source no longer lists, but only after a complete listing without
failures."""

from __future__ import annotations

from sqlalchemy import select

from hub.db.models import Change, OutboxMessage
from tests.integration.sync.conftest import set_items
from tests.integration.sync.test_sync_service import harvested, sync, upserts


def statuses(hub, source_id):
    return {e: r.status for e, r in harvested(hub, source_id).items()}


def test_a_full_sync_withdraws_records_gone_from_the_source(hub, make_source):
    source_id = make_source(items=upserts(1, 2, 3))
    sync(hub, source_id)
    set_items(hub, source_id, upserts(1, 3))
    run = sync(hub, source_id, full=True)
    assert run["status"] == "succeeded"
    assert run["counts"] == {"created": 0, "updated": 0, "deleted": 1, "unchanged": 2, "failed": 0}
    assert statuses(hub, source_id) == {
        "ext-1": "published",
        "ext-2": "withdrawn",
        "ext-3": "published",
    }
    with hub.uow() as uow:
        assert [c.op for c in uow.session.scalars(select(Change).order_by(Change.seq))][
            -1
        ] == "delete"


def test_an_incremental_sync_withdraws_nothing_it_did_not_hear_of(hub, make_source):
    source_id = make_source(items=upserts(1, 2))
    sync(hub, source_id)
    set_items(hub, source_id, upserts(1, 2, 3))
    assert (
        sync(hub, source_id)["counts"]["created"] == 1
    )  # resumes past the cursor: only ext-3 is listed

    assert set(statuses(hub, source_id).values()) == {"published"}


def test_a_full_sync_that_fails_midway_withdraws_nothing(hub, make_source):
    source_id = make_source(items=upserts(1, 2, 3))
    sync(hub, source_id)
    set_items(hub, source_id, upserts(1, 2, 3), explode_at=1)
    run = sync(hub, source_id, full=True)
    assert run["status"] == "failed"
    assert set(statuses(hub, source_id).values()) == {"published"}


def test_a_full_sync_with_a_failed_record_withdraws_nothing(hub, make_source):
    source_id = make_source(items=upserts(1, 2, 3))
    sync(hub, source_id)
    set_items(hub, source_id, upserts(1) + [{"op": "fail", "id": "ext-2"}])
    run = sync(hub, source_id, full=True)
    assert run["status"] == "partial"
    assert run["counts"]["deleted"] == 0
    assert set(statuses(hub, source_id).values()) == {"published"}


def test_a_withdrawn_record_listed_again_comes_back(hub, make_source):
    source_id = make_source(items=upserts(1, 2))
    sync(hub, source_id)
    set_items(hub, source_id, upserts(1))
    sync(hub, source_id, full=True)
    set_items(hub, source_id, upserts(1, 2))
    run = sync(hub, source_id, full=True)
    assert run["counts"]["updated"] == 1
    assert statuses(hub, source_id) == {"ext-1": "published", "ext-2": "published"}


def test_a_batch_is_indexed_through_one_outbox_message(hub, make_source):
    source_id = make_source(items=upserts(*range(1, 8)))
    sync(hub, source_id)
    with hub.uow() as uow:
        messages = uow.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.topic.in_(["resource.index", "resource.index_batch"])
            )
        ).all()
    assert [m.topic for m in messages] == ["resource.index_batch"]
    assert len(messages[0].payload["ids"]) == 7
