"""The insight page and /mine's usage columns, from real requests and scoped by role."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from tests.factories import auth_header, make_user
from tests.integration.web.test_admin_pages import log_in
from tests.resource_factories import make_world, publish

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"


@pytest.fixture
def world(hub):
    world = make_world(hub)
    make_user(hub, email="admin@example.cn", admin=True, org=None, role=None)
    make_user(hub, email="ga@example.cn", org="gy", role="org_admin")
    return world


@pytest.fixture
def used(client, hub, world):
    """A record by the contributor: the Yuanzhou teacher downloads it twice (counted once), the
    Xingqing teacher once; the Xingqing teacher also reads its page."""
    record = publish(hub, world, region="640104")["id"]
    for who, extra in (("o", {}), ("o", {"Range": "bytes=5-"}), ("t", {})):
        headers = {"User-Agent": BROWSER, **auth_header(world.tokens[who]), **extra}
        assert client.get(
            f"/api/v1/resources/{record}/files/课件.pdf", headers=headers
        ).status_code in (
            200,
            206,
        )
    headers = {"User-Agent": BROWSER, **auth_header(world.tokens["t"])}
    assert client.get(f"/api/v1/resources/{record}", headers=headers).status_code == 200
    hub.stats.refresh()
    return record


def _charts(html: str) -> dict:
    block = re.search(
        r'<script type="application/json" id="insight-data">(.*?)</script>', html, re.S
    )
    return json.loads(unescape(block.group(1)))


def _county(charts: dict, code: str) -> dict:
    return next(c for c in charts["counties"] if c["code"] == code)


def test_admin_sees_the_province(client, used):
    log_in(client, "admin@example.cn")
    response = client.get("/admin/insight")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    charts = _charts(html)
    assert len(charts["counties"]) == 22
    assert _county(charts, "640402")["value"] == 1.0  # one download by one active teacher
    assert _county(charts, "640104")["value"] == 1.0
    assert sum(charts["usage"]["series"]["download"]) == 2
    assert sum(charts["usage"]["series"]["view"]) == 1
    southern = {c["code"] for c in charts["counties"] if c["southern_mountain"]}
    assert "640402" in southern and "640104" not in southern
    # every heat-map cell links to the search it stands for
    assert 'href="/?stage=junior&amp;subject=math"' in html
    assert all(cell[4].startswith("/?stage=") for cell in charts["coverage"]["cells"])
    assert "Province insight" not in html and "全区" in html  # Chinese first
    assert 'href="/admin/insight"' in client.get("/admin").get_data(as_text=True)


def test_org_admin_sees_its_subtree(client, used):
    log_in(client, "ga@example.cn")
    response = client.get("/admin/insight")
    assert response.status_code == 200
    charts = _charts(response.get_data(as_text=True))
    assert _county(charts, "640402")["value"] == 1.0
    assert _county(charts, "640104")["value"] is None  # Xingqing is not under Yuanzhou
    assert sum(charts["usage"]["series"]["view"]) == 0


@pytest.mark.parametrize("who", ["t@example.cn", "c@example.cn"])
def test_teachers_and_contributors_are_refused(client, world, who):
    log_in(client, who)
    assert client.get("/admin/insight").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get("/admin/insight")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_english_on_request(client, used):
    log_in(client, "admin@example.cn")
    html = client.get("/admin/insight", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Province insight" in html
    assert _county(_charts(html), "640402")["name"] != "原州区"


def test_contributor_sees_usage_of_own_resources(client, used):
    log_in(client, "c@example.cn")
    html = client.get("/mine").get_data(as_text=True)
    row = re.search(rf'/r/{used}".*?</tr>', html, re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["2", "1"]
