"""An org_admin cannot widen its region by founding a child organisation elsewhere (issue 9)."""

import io

import pytest

from hub.security.principal import SYSTEM
from tests.factories import auth_header, make_org, make_token, make_user
from tests.resource_factories import PDF_BYTES, make_world, publish, valid_record


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def school_admin(hub):
    make_world(hub)
    make_user(hub, "head@xq1.cn", org="xq-school-1", role="org_admin")
    return auth_header(make_token(hub, "head@xq1.cn"))


def alliance(region):
    return {
        "code": "big-alliance",
        "name": "联盟",
        "kind": "alliance",
        "parent": "xq-school-1",
        "region": region,
    }


def test_org_admin_cannot_found_a_province_wide_child(client, hub, school_admin):
    answer = client.post("/api/v1/orgs", json=alliance("640000"), headers=school_admin)
    assert answer.status_code == 403, answer.json
    assert answer.json["errors"][0]["field"] == "region"
    assert client.get("/api/v1/orgs/big-alliance").status_code == 404


def test_province_region_records_stay_out_of_reach(client, hub, school_admin):
    """The attack end to end: the child's new member must not read a region record elsewhere."""
    make_user(hub, "gy-author@gy.cn", org="gy", role="org_admin")
    author = hub.accounts.principal_for_email("gy-author@gy.cn")
    elsewhere = hub.resources.create(author, valid_record(visibility="region"))
    pdf = io.BytesIO(PDF_BYTES)
    hub.files.upload(author, elsewhere["id"], "a.pdf", pdf, content_length=len(PDF_BYTES))
    hub.resources.act(author, elsewhere["id"], "submit")
    hub.resources.act(author, elsewhere["id"], "publish", comment="好")
    assert (
        client.post("/api/v1/orgs", json=alliance("640000"), headers=school_admin).status_code
        == 403
    )
    client.post("/api/v1/orgs", json=alliance(None), headers=school_admin)
    body = {"email": "spy@xq1.cn", "password": "long enough pw", "org": "big-alliance"}
    assert client.post("/api/v1/users", json=body, headers=school_admin).status_code == 201
    spy = auth_header(make_token(hub, "spy@xq1.cn"))
    assert client.get(f"/api/v1/resources/{elsewhere['id']}", headers=spy).status_code in (403, 404)


@pytest.mark.parametrize("region", ["640104", None])
def test_org_admin_may_place_a_child_in_or_under_its_region(client, hub, school_admin, region):
    answer = client.post("/api/v1/orgs", json=alliance(region), headers=school_admin)
    assert answer.status_code == 201, answer.json
    assert answer.json["region"] == "640104"


def test_cli_and_admins_may_place_anywhere(hub):
    make_org(hub, "nx-school", region="640104")
    org = hub.accounts.create_org(
        SYSTEM, code="nx-all", name="全区联盟", kind="alliance", parent="nx-school", region="640000"
    )
    assert org["region"] == "640000"


def test_a_child_of_a_regionless_parent_gets_no_region_from_an_org_admin(client, hub):
    make_org(hub, "free", kind="alliance", region=None)
    make_user(hub, "boss@free.cn", org="free", role="org_admin")
    headers = auth_header(make_token(hub, "boss@free.cn"))
    body = {
        "code": "free-kid",
        "name": "子",
        "kind": "alliance",
        "parent": "free",
        "region": "640100",
    }
    assert client.post("/api/v1/orgs", json=body, headers=headers).status_code == 403


def test_published_region_record_of_another_county_is_hidden(client, hub):
    world = make_world(hub)
    record = publish(hub, world, visibility="region")
    outsider = auth_header(world.tokens["o"])
    assert client.get(f"/api/v1/resources/{record['id']}", headers=outsider).status_code in (
        403,
        404,
    )
