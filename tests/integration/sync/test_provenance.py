"""What a source said of a record beyond the canonical fields (tag ids, paths, file links) is kept
and shown."""

from __future__ import annotations

from hub.security.principal import SYSTEM
from tests.integration.sync.conftest import set_items
from tests.integration.sync.test_sync_service import harvested, sync, upserts
from tests.support.fake_source import record

PROVENANCE = {
    "platform": "national",
    "id": "a1b2",
    "tag_ids": ["6a7a0f1e"],
    "tag_paths": ["教材/小学/数学"],
    "files": ["https://r1-ndr-private.ykt.cbern.com.cn/x.pdf"],
}


def test_provenance_is_stored_and_shown_in_the_record(hub, make_source):
    source_id = make_source(
        items=[{"op": "upsert", "id": "n-1", "record": record(1, provenance=PROVENANCE)}]
        + upserts(2)
    )
    sync(hub, source_id)
    rows = harvested(hub, source_id)
    shown = hub.resources.get(SYSTEM, rows["n-1"].id)["provenance"]
    assert {k: v for k, v in shown.items() if k not in ("origin", "paths")} == PROVENANCE
    # A record that says nothing of its origin has its source as its first origin.
    plain = hub.resources.get(SYSTEM, rows["ext-2"].id)["provenance"]
    assert plain["origin"] == {"kind": "fake", "hub": "http://source.example", "id": "ext-2"}
    assert [p["external_id"] for p in plain["paths"]] == ["ext-2"]


def test_a_changed_provenance_alone_updates_the_record(hub, make_source):
    source_id = make_source(
        items=[{"op": "upsert", "id": "n-1", "record": record(1, provenance=PROVENANCE)}]
    )
    sync(hub, source_id)
    moved = {**PROVENANCE, "tag_paths": ["教材/小学/数学/人教版"]}
    set_items(
        hub, source_id, [{"op": "upsert", "id": "n-1", "record": record(1, provenance=moved)}]
    )
    assert sync(hub, source_id, full=True)["counts"]["updated"] == 1
    kept = harvested(hub, source_id)["n-1"].provenance
    assert {k: v for k, v in kept.items() if k != "origin"} == moved
