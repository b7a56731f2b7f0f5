"""Cached stats answers: they move exactly when a refresh commits or a live input changes, and an
answer computed for one scope is never served to another."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.db.models import Organisation
from hub.db.models.sources import Source, SyncRun
from hub.services.stats_cache import AnswerCache
from tests.factories import auth_header, make_org, make_token, make_user
from tests.resource_factories import make_world, publish

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"


@pytest.fixture
def world(hub):
    world = make_world(hub)
    make_user(hub, email="admin@example.cn", admin=True)
    make_user(hub, email="ga@example.cn", org="gy", role="org_admin")
    for name in ("admin", "ga"):
        world.tokens[name] = make_token(hub, f"{name}@example.cn")
    world.tokens["xa"] = world.tokens["cr"]  # the county reviewer of xq: xq's subtree
    hub.stats.refresh()
    return world


def _get(client, world, path, who="admin"):
    headers = {"User-Agent": BROWSER, **(auth_header(world.tokens[who]) if who else {})}
    response = client.get(f"/api/v1/stats/{path}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def _county(client, world, code, who="admin"):
    return next(r for r in _get(client, world, "regions", who)["rows"] if r["code"] == code)


def test_a_published_record_shows_at_the_next_refresh_not_before(client, hub, world):
    assert _get(client, world, "overview", None)["resources"]["published"] == 0
    publish(hub, world, region="640104")
    assert _get(client, world, "overview", None)["resources"]["published"] == 0
    assert _county(client, world, "640104")["published"] == 0
    hub.stats.refresh()
    overview = _get(client, world, "overview", None)["resources"]
    assert (overview["published"], overview["works"]) == (1, 1)
    assert _county(client, world, "640104")["published"] == 1


def test_a_download_moves_the_counties_and_overview_at_the_refresh(client, hub, world):
    record = publish(hub, world, region="640104")["id"]
    hub.stats.refresh()
    assert _county(client, world, "640104")["downloads_30_days"] == 0
    headers = {"User-Agent": BROWSER, **auth_header(world.tokens["t"])}
    client.get(f"/api/v1/resources/{record}/files/课件.pdf", headers=headers)
    hub.stats.refresh()
    assert _county(client, world, "640104")["downloads_30_days"] == 1
    assert _get(client, world, "overview", None)["downloads"]["total"] == 1


def test_a_new_school_counts_at_once_without_a_refresh(client, hub, world):
    before = _get(client, world, "overview", None)["orgs"]["schools"]
    county = _county(client, world, "640521")["schools"]
    make_org(hub, code="new-school", kind="school", region="640521", name="新学校")
    assert _get(client, world, "overview", None)["orgs"]["schools"] == before + 1
    assert _county(client, world, "640521")["schools"] == county + 1


def test_a_failed_sync_and_a_national_sync_show_at_once(client, hub, world):
    assert _get(client, world, "overview", None)["sync"] == {"sources": 0, "failing": 0}
    assert _get(client, world, "coverage")["national_synced_at"] is None
    with hub.db.session() as session:
        org = session.query(Organisation).filter_by(code="xq").one()
        national = Source(name="national", kind="national", url="https://x.cn", org_id=org.id)
        peer = Source(name="peer", kind="hub", url="https://y.cn", org_id=org.id)
        session.add_all([national, peer])
        session.flush()
        finished = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
        session.add(SyncRun(source_id=national.id, status="succeeded", finished_at=finished))
        session.add(SyncRun(source_id=peer.id, status="failed", finished_at=finished))
        session.commit()
    assert _get(client, world, "overview", None)["sync"] == {"sources": 2, "failing": 1}
    assert _get(client, world, "coverage")["national_synced_at"].startswith("2026-12-01T03:00")


def test_each_scope_gets_its_own_counties(client, hub, world):
    publish(hub, world, region="640104")  # xq's contributor: xq's subtree, not gy's
    hub.stats.refresh()
    assert _county(client, world, "640104")["published"] == 1  # the whole hub, cached first
    assert _county(client, world, "640104", who="ga")["published"] == 0
    assert _county(client, world, "640104", who="xa")["published"] == 1
    assert _county(client, world, "640104", who="ga")["published"] == 0
    assert _county(client, world, "640104")["published"] == 1


def test_the_cache_keeps_keys_and_generations_apart_and_hands_out_copies():
    cache, calls = AnswerCache(), []

    def compute(value):
        calls.append(value)
        return {"rows": [value]}

    assert cache.get(1, ("regions", None), lambda: compute("all")) == {"rows": ["all"]}
    assert cache.get(1, ("regions", ("gy",)), lambda: compute("gy")) == {"rows": ["gy"]}
    mine = cache.get(1, ("regions", None), lambda: compute("again"))
    mine["rows"].append("changed by a caller")
    assert cache.get(1, ("regions", None), lambda: compute("again")) == {"rows": ["all"]}
    assert cache.get(2, ("regions", None), lambda: compute("next")) == {"rows": ["next"]}
    assert calls == ["all", "gy", "next"]
