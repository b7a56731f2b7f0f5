"""Search over HTTP: Chinese queries, facets with Chinese labels, visibility, paging, errors."""

from __future__ import annotations

import shutil

import pytest

from tests.factories import auth_header
from tests.resource_factories import make_world, publish


@pytest.fixture
def world(hub):
    return make_world(hub)


@pytest.fixture
def seeded(hub, world):
    ids = {
        "frac": publish(
            hub,
            world,
            title="分数的加法",
            description="同分母分数加法与异分母分数加法的计算方法。",
            keywords=["分数", "通分"],
            stage="primary",
            grades=["g5"],
            edition="pep",
            volume="vol2",
            type="lesson-plan",
        )["id"],
        "frac6": publish(
            hub,
            world,
            title="分数乘法",
            description="分数乘整数、分数乘分数。",
            keywords=["分数"],
            stage="primary",
            grades=["g6"],
            type="courseware",
        )["id"],
        "pyth": publish(
            hub,
            world,
            title="勾股定理的证明",
            description="用面积法证明勾股定理。",
            keywords=["几何"],
            grades=["g8"],
        )["id"],
        "newton": publish(
            hub,
            world,
            title="牛顿第一定律",
            description="实验探究阻力对运动的影响，理解惯性。",
            subjects=["physics"],
            grades=["g8"],
            type="experiment",
            keywords=["惯性"],
        )["id"],
        "poem": publish(
            hub,
            world,
            title="古诗两首",
            description="二年级语文古诗朗读与背诵。",
            stage="primary",
            subjects=["chinese"],
            grades=["g2"],
            keywords=["古诗"],
        )["id"],
        "secret": publish(
            hub,
            world,
            title="分数复习校内资料",
            description="本校分数单元复习。",
            visibility="org",
            stage="primary",
            grades=["g5"],
            keywords=["分数"],
        )["id"],
    }
    hub.outbox.process()
    return ids


def test_plain_chinese_query_returns_the_obvious_resource_first(client, seeded):
    body = client.get("/api/v1/resources", query_string={"q": "分数加法"}).json
    assert body["hits"][0]["id"] == seeded["frac"]
    assert "<mark>" in body["hits"][0]["highlights"]["title"]
    assert body["hits"][0]["title"] == "分数的加法" and body["hits"][0]["links"]["self"]


def test_two_facets_narrow_the_results(client, seeded):
    broad = client.get("/api/v1/resources", query_string={"subject": "math"}).json
    narrow = client.get("/api/v1/resources", query_string={"subject": "math", "grade": "g8"}).json
    assert broad["total"] == 3
    assert [h["id"] for h in narrow["hits"]] == [seeded["pyth"]] and narrow["total"] == 1


def test_facets_have_chinese_labels_and_exact_counts(client, seeded):
    body = client.get("/api/v1/resources").json
    subjects = {b["key"]: b for b in body["aggregations"]["subject"]}
    assert subjects["math"] == {"key": "math", "label": "数学", "count": 3}
    assert subjects["physics"]["label"] == "物理"
    stages = {b["key"]: b["label"] for b in body["aggregations"]["stage"]}
    assert stages["primary"] == "小学"
    assert {b["key"] for b in body["aggregations"]["org"]} == {"xq-school-1"}


def test_org_only_records_are_neither_seen_nor_counted_by_outsiders(client, world, seeded):
    anonymous = client.get("/api/v1/resources", query_string={"q": "分数"}).json
    assert seeded["secret"] not in [h["id"] for h in anonymous["hits"]]
    assert anonymous["total"] == 2
    assert sum(b["count"] for b in anonymous["aggregations"]["grade"] if b["key"] == "g5") == 1
    member = client.get(
        "/api/v1/resources", query_string={"q": "分数"}, headers=auth_header(world.tokens["c"])
    ).json
    assert seeded["secret"] in [h["id"] for h in member["hits"]] and member["total"] == 3


def test_org_filter_finds_the_organisation_and_everything_under_it(client, seeded):
    county = client.get("/api/v1/resources", query_string={"org": "xq"}).json
    assert county["total"] == 5
    other = client.get("/api/v1/resources", query_string={"org": "gy"}).json
    assert other["total"] == 0


def test_pagination_links_carry_the_query(client, seeded):
    first = client.get("/api/v1/resources", query_string={"subject": "math", "size": 2}).json
    assert len(first["hits"]) == 2 and first["links"]["prev"] is None
    assert "page=2" in first["links"]["next"] and "subject=math" in first["links"]["next"]
    second = client.get(first["links"]["next"]).json
    assert (
        len(second["hits"]) == 1
        and second["links"]["next"] is None
        and "page=1" in second["links"]["prev"]
    )
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"size": 1000}, "size"),
        ({"sort": "bogus"}, "sort"),
        ({"page": 0}, "page"),
        ({"org": "no-such-org"}, "org"),
        ({"facets": "subject,bogus"}, "facets"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(client, seeded, params, field):
    response = client.get("/api/v1/resources", query_string=params)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json["errors"]]


def test_broken_index_is_503_on_search_only(hub, client, config, seeded):
    hub.index.close()
    index_dir = config.data_dir / "index"
    shutil.rmtree(index_dir)
    index_dir.write_text("not an index")
    response = client.get("/api/v1/resources", query_string={"q": "分数"})
    assert response.status_code == 503
    assert "搜索" in response.json["message"]
    assert client.get(f"/api/v1/resources/{seeded['frac']}").status_code == 200


def test_suggest_completes_chinese_prefix_and_pinyin(client, seeded):
    def titles(q):
        answer = client.get("/api/v1/suggest", query_string={"q": q})
        return [s["title"] for s in answer.json["suggestions"]]

    assert "分数的加法" in titles("分数")
    assert "分数的加法" in titles("fenshu")
    assert "分数复习校内资料" not in titles("分数")


def test_openapi_lists_get_and_post_on_resources(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/resources"])


def test_only_the_facets_asked_for_are_counted(client, seeded):
    some = client.get(
        "/api/v1/resources", query_string={"q": "分数", "facets": "subject,grade"}
    ).json
    assert set(some["aggregations"]) == {"subject", "grade"} and some["total"] == 2
    assert client.get("/api/v1/resources", query_string={"facets": ""}).json["aggregations"] == {}
    assert len(client.get("/api/v1/resources").json["aggregations"]) == 12  # major too


def test_a_misspelt_or_pinyin_query_gets_a_correction_that_really_finds(client, seeded):
    for typed, meant in (
        ("fenshu", "分数"),
        ("分树", "分数"),
        ("分数 xyzzy", "分数"),
        ("niudun", "牛顿"),
    ):
        body = client.get("/api/v1/resources", query_string={"q": typed}).json
        assert body["total"] == 0 and body["did_you_mean"]["q"] == meant
        corrected = client.get(
            "/api/v1/resources", query_string={"q": body["did_you_mean"]["q"]}
        ).json
        assert corrected["total"] == body["did_you_mean"]["total"] > 0


def test_no_correction_for_a_query_that_finds_something(client, seeded):
    body = client.get("/api/v1/resources", query_string={"q": "分数"}).json
    assert body["total"] == 2 and body["did_you_mean"] is None
    assert client.get("/api/v1/resources", query_string={"q": "xyzzy"}).json["did_you_mean"] is None


def test_a_correction_is_never_built_from_or_counts_what_the_caller_may_not_read(
    client, world, seeded
):
    # 复习 is only in an org-only record: its pinyin leads outsiders nowhere, and members to that
    # record alone.
    assert client.get("/api/v1/resources", query_string={"q": "fuxi"}).json["did_you_mean"] is None
    member = client.get(
        "/api/v1/resources", query_string={"q": "fuxi"}, headers=auth_header(world.tokens["c"])
    ).json
    assert member["did_you_mean"] == {"q": "复习", "total": 1}
    anonymous = client.get("/api/v1/resources", query_string={"q": "fenshu"}).json["did_you_mean"]
    inside = client.get(
        "/api/v1/resources", query_string={"q": "fenshu"}, headers=auth_header(world.tokens["c"])
    )
    assert anonymous == {"q": "分数", "total": 2} and inside.json["did_you_mean"] == {
        "q": "分数",
        "total": 3,
    }


def test_openapi_documents_did_you_mean_and_the_facets_parameter(client):
    spec = client.get("/api/openapi.json").json
    get = spec["paths"]["/api/v1/resources"]["get"]
    assert "facets" in [p["name"] for p in get["parameters"]]
    schemas = spec["components"]["schemas"]
    assert "did_you_mean" in schemas["SearchResult"]["properties"] and "DidYouMean" in schemas
