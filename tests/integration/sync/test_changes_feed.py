"""The changes feed: published and withdrawn public records, in commit order, with a forward-only
cursor."""

from __future__ import annotations

import io
import threading

import pytest

from hub.db.models import Change
from hub.errors import InvalidInput
from hub.security.principal import SYSTEM
from tests.factories import make_org
from tests.resource_factories import PDF_BYTES, valid_record


def published(hub, **overrides) -> dict:
    draft = hub.resources.create(SYSTEM, valid_record(org="nx-feed", **overrides))
    hub.files.upload(
        SYSTEM,
        draft["id"],
        "lesson.pdf",
        io.BytesIO(PDF_BYTES),
        content_length=len(PDF_BYTES),
        digest=None,
    )
    hub.resources.act(SYSTEM, draft["id"], "submit")
    return hub.resources.act(SYSTEM, draft["id"], "publish")


@pytest.fixture(autouse=True)
def feed_org(hub):
    make_org(hub, code="nx-feed")


def test_the_feed_lists_published_records_and_withdrawals_in_order(hub, client):
    first, second = published(hub, title="第一"), published(hub, title="第二")
    hub.resources.withdraw(SYSTEM, first["id"])
    body = client.get("/api/v1/changes").get_json()
    ops = [(c["op"], c["resource"]["id"]) for c in body["changes"]]
    assert ("upsert", second["id"]) in ops and ops[-1] == ("delete", first["id"])
    seqs = [c["seq"] for c in body["changes"]]
    assert seqs == sorted(seqs) and body["next"] == str(seqs[-1])
    assert client.get(f"/api/v1/changes?since={body['next']}").get_json() == {
        "changes": [],
        "next": body["next"],
    }


def test_drafts_and_private_records_stay_out_but_the_cursor_moves_past_them(hub, client):
    hidden = published(hub, visibility="org")
    body = client.get("/api/v1/changes").get_json()
    assert all(c["resource"]["id"] != hidden["id"] for c in body["changes"])
    assert int(body["next"]) >= 1


def test_pages_follow_the_cursor(hub, client):
    ids = [published(hub, title=f"资源{n}")["id"] for n in range(5)]
    seen, since = [], ""
    while True:
        body = client.get(f"/api/v1/changes?since={since}&limit=2").get_json()
        if not body["changes"]:
            break
        seen += [c["resource"]["id"] for c in body["changes"]]
        assert int(body["next"]) > int(since or 0)
        since = body["next"]
    assert seen == ids


def test_a_garbage_cursor_is_a_clear_400(hub, client):
    response = client.get("/api/v1/changes?since=abc")
    assert response.status_code == 400 and "since" in response.get_json()["message"]
    with pytest.raises(InvalidInput):
        hub.changes.feed("-1")


@pytest.mark.postgres_only  # SQLite has one writer at a time: commit order is seq order already
def test_a_reader_never_skips_a_row_committed_late(hub, database_url):
    """T1 writes a change row and stays open; T2's change row waits for T1's commit (the feed lock),
    so no reader can see T2's higher seq while T1's lower one is still invisible."""
    t1 = hub.db.session()
    t1.add(Change(resource_id="r-first", op="upsert"))
    t1.flush()
    t2_done = threading.Event()

    def second():
        with hub.db.session() as t2:
            t2.add(Change(resource_id="r-second", op="upsert"))
            t2.commit()
        t2_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not t2_done.wait(0.5)  # blocked behind T1; the reader sees neither row
    with hub.db.session() as reader:
        assert reader.query(Change).count() == 0
    t1.commit()
    t1.close()
    thread.join()
    with hub.db.session() as reader:
        rows = reader.query(Change).order_by(Change.seq).all()
    assert [r.resource_id for r in rows] == ["r-first", "r-second"]


@pytest.mark.postgres_only
def test_a_bulk_import_waits_for_an_open_feed_writer_too(hub, database_url, tmp_path):
    """Core inserts skip the ORM hook: the importer takes the feed lock itself, so it queues behind
    T1."""
    import json

    from hub.services.bulk import BulkImporter

    make_org(hub, code="nx", kind="province", region="640000")
    source = tmp_path / "r.jsonl"
    source.write_text(json.dumps(valid_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    t1 = hub.db.session()
    t1.add(Change(resource_id="r-first", op="upsert"))
    t1.flush()
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (BulkImporter(hub, org="nx", publish=True).run(source), done.set())
    )
    thread.start()
    assert not done.wait(0.5)  # queued behind T1's open transaction
    t1.commit()
    t1.close()
    thread.join()
    with hub.db.session() as reader:
        rows = reader.query(Change).order_by(Change.seq).all()
    assert rows[0].resource_id == "r-first" and len(rows) == 2
