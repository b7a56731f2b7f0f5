"""Vocational and higher-education records over HTTP: validated on create and edit, found by
major, and counted in the `major` facet, on the embedded engine and on the memory fake."""

from __future__ import annotations

import uuid

import pytest

from config import Config
from tests.factories import auth_header
from tests.resource_factories import make_world, publish, valid_record
from tests.support import postgres

VOCATIONAL = {"grades": [], "subjects": [], "edition": None, "volume": None}


# The embedded engine on both databases (JSON lists and JSONB), the memory fake on one.
SETUPS = [
    ("tantivy", "sqlite"),
    pytest.param(("tantivy", "postgresql"), marks=pytest.mark.postgres),
    ("memory", "sqlite"),
]


@pytest.fixture(params=SETUPS, ids=lambda p: "-".join(p))
def config(request, tmp_path) -> Config:
    engine, database = request.param
    data_dir = tmp_path / "var"
    search = f"tantivy://{data_dir / 'index'}" if engine == "tantivy" else "memory://"
    return Config.from_env(
        data_dir=data_dir,
        database_url=_database(request, database, tmp_path),
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=search,
        broker_url="memory://",  # no worker: the tests run the outbox themselves
        secret_key="test-secret",
        testing=True,
    )


def _database(request, kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"eduhub_test_{uuid.uuid4().hex[:12]}"
    request.addfinalizer(lambda: postgres.drop_database(server, name))
    return postgres.create_database(server, name, with_schema=True)


@pytest.fixture
def world(hub):
    return make_world(hub)


def _post(client, world, **fields):
    return client.post(
        "/api/v1/resources",
        json=valid_record(**fields),
        headers=auth_header(world.tokens["c"]),
    )


def _messages(response, field: str) -> str:
    return " ".join(
        m for e in response.json["errors"] if e["field"] == field for m in e["messages"]
    )


def test_vocational_records_are_validated_on_create_and_edit(client, world):
    good = _post(client, world, stage="voc-higher", majors=["4303"], **VOCATIONAL)
    assert good.status_code == 201, good.json
    assert good.json["stage"] == "voc-higher" and good.json["majors"] == ["4303"]
    inferred = _post(client, world, majors=["7401"], **{**VOCATIONAL, "stage": None})
    assert inferred.status_code == 201 and inferred.json["stage"] == "voc-secondary"

    missing = _post(client, world, stage="voc-higher", **VOCATIONAL)
    assert missing.status_code == 422 and "/api/v1/vocabularies/majors" in _messages(
        missing, "majors"
    )
    school_fields = _post(client, world, stage="voc-bachelor", majors=["21"])  # keeps g7 and math
    assert school_fields.status_code == 422
    assert "remove grades" in _messages(school_fields, "grades")
    assert "请删除 subjects" in _messages(school_fields, "subjects")
    wrong_level = _post(client, world, stage="voc-higher", majors=["6303"], **VOCATIONAL)
    assert "voc-secondary" in _messages(wrong_level, "majors")
    on_school = _post(client, world, majors=["4303"])  # a junior record
    assert on_school.status_code == 422 and "remove majors" in _messages(on_school, "majors")

    url = f"/api/v1/resources/{good.json['id']}"
    headers = {**auth_header(world.tokens["c"]), "If-Match": f'"{good.json["revision"]}"'}
    edit = client.patch(url, json={"majors": ["6101"]}, headers=headers)
    assert edit.status_code == 422 and "voc-secondary" in _messages(edit, "majors")
    edit = client.patch(url, json={"majors": ["43", "4303"]}, headers=headers)
    assert edit.status_code == 200 and edit.json["majors"] == ["43", "4303"]


@pytest.fixture
def seeded(hub, world):
    ids = {
        "pv": publish(
            hub,
            world,
            title="光伏电站运行与维护",
            description="高职新能源发电工程类 光伏电站巡检。",
            stage="voc-higher",
            majors=["4303"],
            themes=["new-energy"],
            **VOCATIONAL,
        )["id"],
        "guide": publish(
            hub,
            world,
            title="宁夏导游实务",
            description="中职旅游类 文化旅游线路讲解。",
            stage="voc-secondary",
            majors=["7401"],
            themes=["cultural-tourism"],
            **VOCATIONAL,
        )["id"],
    }
    hub.outbox.process()
    return ids


def test_vocational_records_are_searched_and_faceted_by_major(client, seeded):
    body = client.get("/api/v1/resources", query_string={"facets": "stage,major"}).json
    majors = {b["key"]: b for b in body["aggregations"]["major"]}
    # Labels name the stage: 中职, 高职专科 and 职业本科 each have a 新能源发电工程类.
    assert majors["4303"] == {"key": "4303", "label": "高职专科 新能源发电工程类", "count": 1}
    assert majors["43"]["label"] == "高职专科 能源动力与材料大类" and majors["43"]["count"] == 1
    assert majors["7401"]["count"] == 1 and majors["74"]["label"] == "中职 旅游大类"
    stages = {b["key"]: b["label"] for b in body["aggregations"]["stage"]}
    assert stages["voc-higher"] == "高职专科" and stages["voc-secondary"] == "中职"

    by_class = client.get("/api/v1/resources", query_string={"major": "4303"}).json
    assert [h["id"] for h in by_class["hits"]] == [seeded["pv"]]
    assert by_class["hits"][0]["majors"] == ["4303"]
    by_category = client.get("/api/v1/resources", query_string={"major": "43"}).json
    assert [h["id"] for h in by_category["hits"]] == [seeded["pv"]]
    either = client.get("/api/v1/resources", query_string={"major": ["4303", "74"]}).json
    assert {h["id"] for h in either["hits"]} == {seeded["pv"], seeded["guide"]}
    bundle = client.get("/api/v1/bundles/estimate", query_string={"major": "43"}).json
    assert bundle["resources"] == 1  # a bundle of the search holds what the search found
    text = client.get("/api/v1/resources", query_string={"q": "导游", "stage": "voc-secondary"})
    assert [h["id"] for h in text.json["hits"]] == [seeded["guide"]]
