"""Vocational records on the web: the describe form offers majors for vocational and higher
stages, saves them, and the search page filters and counts by major."""

from __future__ import annotations

import re

import pytest

from tests.integration.web.test_contribute_pages import FORM, log_in
from tests.resource_factories import make_world, publish


@pytest.fixture
def database_url(tmp_path):
    """SQLite only: the HTTP API tests run vocational records on PostgreSQL too."""
    return f"sqlite:///{tmp_path / 'hub.db'}"


VOCATIONAL_FORM = {
    **FORM,
    "title": "光伏电站巡检 微课",
    "stage": "voc-higher",
    "subjects": [],
    "grades": [],
    "majors": ["4303"],
    "themes": ["new-energy"],
}


def test_the_form_offers_majors_grouped_by_stage_and_saves_them(client, hub):
    world = make_world(hub)
    token = log_in(client, "c@example.cn")
    html = client.get("/upload").get_data(as_text=True)
    for stage in ("voc-secondary", "voc-higher", "voc-bachelor", "undergraduate"):
        assert f'data-stage="{stage}"' in html
        assert f'<option value="{stage}"' in html
    higher = html.split('data-stage="voc-higher"', 1)[1].split("</fieldset>", 1)[0]
    assert 'name="majors" value="4303"' in higher and "新能源发电工程类" in higher
    assert 'value="6303"' not in higher  # the 中职 class sits in its own group
    assert "data-school-only" in html and "/assets/js/describe.js" in html

    refused = client.post(
        "/upload", data={**VOCATIONAL_FORM, "majors": [], "grades": ["g10"], "csrf_token": token}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "remove grades" in page and "majors" in page

    response = client.post("/upload", data={**VOCATIONAL_FORM, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    record = hub.resources.get(world.contributor, response.headers["Location"].rsplit("/", 1)[-1])
    assert record["stage"] == "voc-higher" and record["majors"] == ["4303"]


def test_the_search_page_filters_and_counts_by_major(client, hub):
    world = make_world(hub)
    pv = publish(
        hub,
        world,
        title="光伏电站运行与维护",
        stage="voc-higher",
        majors=["4303"],
        grades=[],
        subjects=[],
        edition=None,
        volume=None,
    )
    school = publish(hub, world)
    hub.outbox.process()
    page = client.get("/?major=43").get_data(as_text=True)
    assert f"/r/{pv['id']}" in page and f"/r/{school['id']}" not in page
    assert 'class="chip"' in page and "高职专科 能源动力与材料大类" in page
    # The facet names the stage: 中职, 高职专科 and 职业本科 each have a 新能源发电工程类.
    facet = r'data-facet="major">高职专科 新能源发电工程类</a>\s*<span class="count">1</span>'
    assert re.search(facet, page)
    resource = client.get(f"/r/{pv['id']}").get_data(as_text=True)
    assert "新能源发电工程类" in resource and "educationalAlignment" in resource
