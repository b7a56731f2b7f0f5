"""The sync service against a fake connector, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.db.models import Resource
from hub.db.models.sources import SyncRun
from hub.errors import Conflict, Forbidden
from hub.security.principal import SYSTEM, Principal
from tests.integration.sync.conftest import set_items
from tests.support.fake_source import record


def upserts(*numbers, **overrides):
    return [{"op": "upsert", "id": f"ext-{n}", "record": record(n, **overrides)} for n in numbers]


def sync(hub, source_id, full=False):
    run = hub.sync.start(SYSTEM, source_id, full=full)
    return hub.sync.run(run["id"])


def harvested(hub, source_id):
    with hub.uow() as uow:
        rows = uow.session.scalars(select(Resource).where(Resource.source_id == source_id)).all()
        return {r.external_id: r for r in rows}


def test_sync_creates_published_records_in_the_source_org(hub, make_source):
    source_id = make_source(items=upserts(1, 2, 3))
    run = sync(hub, source_id)
    assert run["status"] == "succeeded"
    assert run["counts"] == {"created": 3, "updated": 0, "deleted": 0, "unchanged": 0, "failed": 0}
    records = harvested(hub, source_id)
    assert sorted(records) == ["ext-1", "ext-2", "ext-3"]
    assert {r.status for r in records.values()} == {"published"}
    assert records["ext-1"].origin_url == "http://source.example/r/1"
    assert run["started_at"] and run["finished_at"]


def test_review_sources_submit_instead_of_publishing(hub, make_source):
    source_id = make_source(items=upserts(1), review=True)
    sync(hub, source_id)
    assert harvested(hub, source_id)["ext-1"].status == "submitted"


def test_rerun_resumes_from_the_cursor_and_full_rerun_is_idempotent(hub, make_source):
    source_id = make_source(items=upserts(1, 2))
    sync(hub, source_id)
    set_items(hub, source_id, upserts(1, 2) + upserts(3))
    assert sync(hub, source_id)["counts"]["created"] == 1  # only the new item was read
    full = sync(hub, source_id, full=True)
    assert full["counts"] == {"created": 0, "updated": 0, "deleted": 0, "unchanged": 3, "failed": 0}
    assert len(harvested(hub, source_id)) == 3


def test_changed_records_update_and_deletions_become_tombstones(hub, make_source):
    source_id = make_source(items=upserts(1, 2))
    sync(hub, source_id)
    later = upserts(1, 2) + upserts(1, title="新的标题") + [{"op": "delete", "id": "ext-2"}]
    set_items(hub, source_id, later)
    run = sync(hub, source_id)
    assert run["counts"]["updated"] == 1 and run["counts"]["deleted"] == 1
    records = harvested(hub, source_id)
    assert records["ext-1"].title == "新的标题"
    assert records["ext-2"].status == "withdrawn"


def test_a_bad_record_is_kept_as_a_failure_and_never_stops_the_run(hub, make_source):
    items = (
        upserts(1)
        + [
            {"op": "upsert", "id": "bad", "record": record(9, subjects=["no-such-subject"])},
            {"op": "fail", "id": "broken", "reason": "unreadable XML", "payload": "<x"},
        ]
        + upserts(2)
    )
    source_id = make_source(items=items)
    run = sync(hub, source_id)
    assert run["status"] == "partial"
    assert run["counts"]["created"] == 2 and run["counts"]["failed"] == 2
    failures = {f["external_id"]: f for f in hub.sync.failures(SYSTEM, run["id"])}
    assert (
        failures["broken"]["reason"] == "unreadable XML" and failures["broken"]["payload"] == "<x"
    )
    assert "subjects" in failures["bad"]["reason"]
    assert failures["bad"]["payload"]["record"]["subjects"] == ["no-such-subject"]


def test_a_failure_can_be_retried_once_the_source_is_fixed(hub, make_source):
    source_id = make_source(items=[{"op": "fail", "id": "ext-7", "reason": "timeout"}])
    run = sync(hub, source_id)
    failure = hub.sync.failures(SYSTEM, run["id"])[0]
    still = hub.sync.retry_failure(SYSTEM, run["id"], failure["id"])
    assert (
        still["resolved_at"] is None
        and still["attempts"] == 2
        and still["reason"] == "still broken"
    )
    set_items(hub, source_id, [], fixed={"ext-7": record(7)})
    result = hub.sync.retry_failures(SYSTEM, run["id"])
    assert result["resolved"] == 1
    assert "ext-7" in harvested(hub, source_id)


def test_a_later_successful_harvest_resolves_old_failures(hub, make_source):
    source_id = make_source(items=[{"op": "fail", "id": "ext-1"}])
    first = sync(hub, source_id)
    set_items(hub, source_id, [{"op": "fail", "id": "ext-1"}] + upserts(1))
    sync(hub, source_id)
    assert hub.sync.failures(SYSTEM, first["id"], unresolved_only=True) == []


def test_a_connector_error_fails_the_run_but_keeps_what_was_done(hub, make_source):
    source_id = make_source(items=upserts(*range(1, 6)), options={"explode_at": 3})
    run = sync(hub, source_id)
    assert run["status"] == "failed"
    assert "the source went away" in run["errors"][0]["message"]
    assert run["counts"]["created"] == 3
    set_items(hub, source_id, upserts(*range(1, 6)), explode_at=None)
    again = sync(hub, source_id)
    assert again["status"] == "succeeded" and again["counts"]["created"] == 2
    assert len(harvested(hub, source_id)) == 5


def test_one_sync_of_a_source_at_a_time(hub, make_source):
    source_id = make_source(items=upserts(1))
    run = hub.sync.start(SYSTEM, source_id)
    with pytest.raises(Conflict, match="already syncing"):
        hub.sync.start(SYSTEM, source_id)
    hub.sync.run(run["id"])
    assert hub.sync.start(SYSTEM, source_id)["status"] == "queued"


def test_a_run_whose_worker_died_is_released(hub, make_source):
    source_id = make_source(items=upserts(1))
    run = hub.sync.start(SYSTEM, source_id)
    with hub.uow() as uow:
        stuck = uow.session.get(SyncRun, run["id"])
        stuck.status, stuck.worker = "running", f"{__import__('socket').gethostname()}:999999999"
        uow.commit()
    second = hub.sync.start(SYSTEM, source_id)
    assert hub.sync.get_run(SYSTEM, run["id"])["status"] == "failed"
    assert hub.sync.run(second["id"])["status"] == "succeeded"


def test_a_finished_run_is_not_run_twice(hub, make_source):
    source_id = make_source(items=upserts(1))
    run = hub.sync.start(SYSTEM, source_id)
    hub.sync.run(run["id"])
    assert hub.sync.run(run["id"])["counts"]["created"] == 1


def test_only_admins_start_syncs(hub, make_source):
    source_id = make_source(items=upserts(1))
    with pytest.raises(Forbidden):
        hub.sync.start(Principal(user_id=5, email="t@example.cn"), source_id)


def test_batches_commit_the_cursor_as_they_go(hub, make_source, monkeypatch):
    monkeypatch.setattr("hub.harvest.runner.BATCH", 10)
    source_id = make_source(items=upserts(*range(1, 26)), options={"explode_at": 25})
    run = sync(hub, source_id)
    assert run["cursor"] == "25"
    with hub.uow() as uow:
        assert (
            uow.session.scalar(
                select(func.count()).select_from(Resource).where(Resource.source_id == source_id)
            )
            == 25
        )
