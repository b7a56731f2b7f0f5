"""A record reaching the hub by two paths is one record with both paths listed, whichever path
comes first; it keeps its first origin, survives a re-sync, and stays while any path has it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.db.models import Resource
from hub.security.principal import SYSTEM
from tests.integration.sync.conftest import set_items
from tests.integration.sync.test_sync_service import sync
from tests.support.fake_source import record

ORIGIN = {"kind": "fake", "hub": "http://source.example", "id": "n-1"}
DIRECT = [{"op": "upsert", "id": "n-1", "record": record(1)}]
# The same record as a county hub that harvested it from the same source would announce it.
THROUGH_COUNTY = [
    {
        "op": "upsert",
        "id": "county-77",
        "record": record(1, provenance={"origin": ORIGIN, "via": ["http://county.example"]}),
    }
]


def live_records(hub) -> list[Resource]:
    with hub.uow() as uow:
        return uow.session.scalars(
            select(Resource).where(Resource.status != "withdrawn").order_by(Resource.created)
        ).all()


def shown(hub, resource_id) -> dict:
    return hub.resources.get(SYSTEM, resource_id)


@pytest.mark.parametrize("direct_first", [True, False])
def test_two_paths_make_one_record_with_both_paths_whichever_comes_first(
    hub, make_source, direct_first
):
    direct = make_source("national", items=DIRECT)
    county = make_source("county", items=THROUGH_COUNTY)
    for source_id in (direct, county) if direct_first else (county, direct):
        assert sync(hub, source_id)["status"] == "succeeded"

    (only,) = live_records(hub)
    record = shown(hub, only.id)
    assert record["provenance"]["origin"] == ORIGIN
    paths = record["provenance"]["paths"]
    assert sorted(p["source"] for p in paths) == ["county", "national"]
    through = next(p for p in paths if p["source"] == "county")
    assert through["external_id"] == "county-77"
    assert through["via"] == ["http://county.example"]

    # A full re-sync of both changes nothing: still one record, still two paths.
    assert sync(hub, direct, full=True)["counts"]["created"] == 0
    assert sync(hub, county, full=True)["counts"]["created"] == 0
    (again,) = live_records(hub)
    assert again.id == only.id
    assert len(shown(hub, only.id)["provenance"]["paths"]) == 2


def test_the_record_stays_while_another_path_still_has_it(hub, make_source):
    direct = make_source("national", items=DIRECT)
    county = make_source("county", items=THROUGH_COUNTY)
    sync(hub, direct)
    sync(hub, county)
    (only,) = live_records(hub)

    set_items(hub, direct, [])  # the national platform drops it; the county still has it
    assert sync(hub, direct, full=True)["counts"]["deleted"] == 1
    (still,) = live_records(hub)
    assert still.id == only.id and still.status == "published"
    assert [p["source"] for p in shown(hub, only.id)["provenance"]["paths"]] == ["county"]

    set_items(hub, county, [])  # its last path goes: now it is withdrawn
    sync(hub, county, full=True)
    assert live_records(hub) == []


def test_a_withdrawn_further_path_leaves_the_record_with_its_first(hub, make_source):
    direct = make_source("national", items=DIRECT)
    county = make_source("county", items=THROUGH_COUNTY)
    sync(hub, direct)
    sync(hub, county)
    set_items(hub, county, [{"op": "delete", "id": "county-77"}])
    assert sync(hub, county, full=True)["counts"]["deleted"] == 1
    (only,) = live_records(hub)
    assert [p["source"] for p in shown(hub, only.id)["provenance"]["paths"]] == ["national"]


def test_the_overview_counts_a_record_brought_by_two_paths_once(hub, make_source):
    sync(hub, make_source("national", items=DIRECT))
    sync(hub, make_source("county", items=THROUGH_COUNTY))
    hub.stats.refresh()
    overview = hub.stats.overview()["resources"]
    assert overview["published"] == 1
    with hub.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Resource)) == 1


def test_a_peer_claiming_a_malformed_origin_gets_its_own_record(hub, make_source):
    hostile = [
        {
            "op": "upsert",
            "id": "h-1",
            "record": record(1, provenance={"origin": {"kind": "NATIONAL; drop", "id": "n-1"}}),
        }
    ]
    sync(hub, make_source("national", items=DIRECT))
    sync(hub, make_source("hostile", items=hostile))
    assert len(live_records(hub)) == 2


def test_the_resource_page_lists_both_paths(hub, client, make_source):
    sync(hub, make_source("national", items=DIRECT))
    sync(hub, make_source("county", items=THROUGH_COUNTY))
    (only,) = live_records(hub)
    page = client.get(f"/r/{only.id}", headers={"Accept-Language": "zh-CN"}).text
    assert "来源路径" in page
    assert "national" in page and "county ← http://county.example" in page
