"""Coverage of vocational and higher-education stages: stage x major, beside the unchanged school
grid."""

from __future__ import annotations

import pytest

from tests.factories import auth_header, make_token, make_user
from tests.resource_factories import make_world, publish

VOCATIONAL = {"grades": [], "subjects": [], "edition": None, "volume": None}


@pytest.fixture
def world(hub):
    world = make_world(hub)
    make_user(hub, email="admin@example.cn", admin=True)
    world.tokens["admin"] = make_token(hub, "admin@example.cn")
    publish(hub, world, stage="voc-higher", majors=["4303"], title="光伏运维", **VOCATIONAL)
    hub.stats.refresh()
    return world


def _coverage(client, world, query: str) -> dict:
    response = client.get(
        f"/api/v1/stats/coverage?{query}", headers=auth_header(world.tokens["admin"])
    )
    assert response.status_code == 200, response.json
    return response.json


def test_vocational_stages_are_covered_by_major_and_the_school_grid_is_unchanged(client, world):
    rows = _coverage(client, world, "by=stage,major")["rows"]
    grid = {(r["stage"], r["major"]): r for r in rows}
    assert {stage for stage, _major in grid} == {
        "voc-secondary",
        "voc-higher",
        "voc-bachelor",
        "undergraduate",
    }
    assert grid[("voc-higher", "4303")]["local"] == 1 and not grid[("voc-higher", "4303")]["gap"]
    assert grid[("voc-higher", "43")]["local"] == 1  # the class counts for its category
    assert grid[("voc-secondary", "6303")] == {
        "stage": "voc-secondary",
        "major": "6303",
        "local": 0,
        "national": None,
        "gap": True,
    }
    only = _coverage(client, world, "by=stage,major&stage=voc-higher")["rows"]
    assert {r["stage"] for r in only} == {"voc-higher"}

    school = _coverage(client, world, "by=stage,subject,grade")["rows"]
    assert {r["stage"] for r in school} == {"primary", "junior", "senior"}
    assert not any(r["local"] for r in school)
    by_stage = {r["stage"]: r["local"] for r in _coverage(client, world, "by=stage")["rows"]}
    assert by_stage["voc-higher"] == 1 and by_stage["junior"] == 0
