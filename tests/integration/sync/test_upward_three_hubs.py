"""Upward federation through three real hubs: school -> county -> province, with harvest tokens.

Each hub is its own app, database and port. The county harvests the school with a token the
school's org_admin issued for the school; the province harvests the county with one the county's
org_admin issued for the county. Region- and org-visible records travel with their visibility and
region and are read only by the right users at each level; a harvester without a token sees the
public ones only; a withdrawal at the school reaches the province.
"""

from __future__ import annotations

import logging

import pytest
import requests
from sqlalchemy import select

from hub.db.models import Resource
from hub.db.models.provenance import ResourcePath
from hub.errors import Forbidden, NotFound
from hub.security.principal import SYSTEM
from hub.services.indexer import index_resources
from tests.factories import make_org, make_user
from tests.support.upward import add_hub_source, copies, publish_record, served_hub, sync

LITONG, XINGQING, NINGXIA = "640302", "640104", "640000"
TITLES = {"public": "公开：黄河文化导读", "region": "区域：利通区教研课件", "org": "本校：校本作业"}


def may_read(hub, principal, resource_id: str) -> bool:
    try:
        hub.resources.get(principal, resource_id)
    except (NotFound, Forbidden):
        return False
    return True


def _search_titles(hub, principal) -> set[str]:
    return {hit["title"] for hit in hub.search.search(principal, size=50)["hits"]}


@pytest.fixture
def three_hubs(tmp_path):
    with (
        served_hub(tmp_path, "school") as school,
        served_hub(tmp_path, "county") as county,
        served_hub(tmp_path, "province") as province,
    ):
        yield school, county, province


def _school(school) -> tuple[dict, str]:
    make_org(school.hub, code="litong-1", kind="school", region=LITONG)
    admin = make_user(school.hub, email="admin@litong1.cn", org="litong-1", role="org_admin")
    records = {
        visibility: publish_record(
            school.hub, "litong-1", title, visibility=visibility, region=LITONG
        )
        for visibility, title in TITLES.items()
    }
    token, info = school.hub.accounts.create_token(
        admin, name="county hub", scopes=["harvest"], org="litong-1"
    )
    assert info["scopes"] == ["harvest"] and info["org"] == "litong-1"
    return records, token


def _county(county, school_url: str, token: str) -> tuple[int, str]:
    make_org(county.hub, code="litong", kind="county", region=LITONG)
    make_org(county.hub, code="litong-1", kind="school", parent="litong", region=LITONG)
    admin = make_user(county.hub, email="admin@litong.cn", org="litong", role="org_admin")
    source = add_hub_source(county.hub, "litong-1", school_url, "litong-1", token)
    upward, _ = county.hub.accounts.create_token(admin, name="province hub", org="litong")
    return source, upward


def _province(province, county_url: str, token: str) -> int:
    make_org(province.hub, code="ningxia", kind="province", region=NINGXIA)
    make_org(province.hub, code="litong", kind="county", parent="ningxia", region=LITONG)
    make_org(province.hub, code="xingqing", kind="county", parent="ningxia", region=XINGQING)
    return add_hub_source(province.hub, "litong", county_url, "litong", token)


def test_region_and_org_records_climb_with_their_visibility(three_hubs, caplog):
    caplog.set_level(logging.DEBUG)
    school, county, province = three_hubs
    originals, school_token = _school(school)
    county_source, county_token = _county(county, school.url, school_token)
    province_source = _province(province, county.url, county_token)

    assert sync(county.hub, county_source)["counts"]["created"] == 3
    assert sync(province.hub, province_source)["counts"]["created"] == 3
    assert "/api/v1/changes" in caplog.text  # the hubs' logs were captured, and hold no token
    assert school_token not in caplog.text and county_token not in caplog.text

    for hub in (county.hub, province.hub):
        found = copies(hub)
        for visibility, title in TITLES.items():
            copy = found[title]
            assert (copy.status, copy.visibility, copy.region) == ("published", visibility, LITONG)
            # The files came too, fetched with the token from each hub's own origin.
            assert [f.sha256 for f in copy.files] == [originals[visibility]["files"][0]["sha256"]]

    at_province = copies(province.hub)
    readers = {
        "litong teacher": make_user(province.hub, org="litong"),
        "province officer": make_user(province.hub, org="ningxia"),
        "xingqing teacher": make_user(province.hub, org="xingqing"),
        "signed-in, no role": make_user(province.hub),
    }
    seen = {
        who: {v for v, t in TITLES.items() if may_read(province.hub, p, at_province[t].id)}
        for who, p in readers.items()
    }
    expected = {
        "litong teacher": {"public", "region", "org"},
        "province officer": {"public", "region", "org"},
        "xingqing teacher": {"public"},
        "signed-in, no role": {"public"},
    }
    assert seen == expected
    # Search reads the same rule: each reader finds what they may read, and no more.
    # (Indexed here rather than through the outbox, whose previews of the PDFs take long.)
    index_resources(province.hub.db, province.hub.index, [r.id for r in at_province.values()])
    found = {
        who: {v for v, t in TITLES.items() if t in _search_titles(province.hub, p)}
        for who, p in readers.items()
    }
    assert found == expected

    at_county = copies(county.hub)
    litong = make_user(county.hub, org="litong")
    assert all(may_read(county.hub, litong, at_county[t].id) for t in TITLES.values())
    make_org(county.hub, code="other", kind="county", region=XINGQING)
    outsider = make_user(county.hub, org="other")
    assert not may_read(county.hub, outsider, at_county[TITLES["region"]].id)


def test_a_harvester_without_a_token_sees_the_public_records_only(three_hubs):
    school, county, province = three_hubs
    _originals, school_token = _school(school)
    county_source, county_token = _county(county, school.url, school_token)
    province_source = _province(province, county.url, county_token)
    sync(county.hub, county_source)
    sync(province.hub, province_source)

    feed = requests.get(f"{province.url}/api/v1/changes", timeout=30).json()
    assert [c["resource"]["title"] for c in feed["changes"]] == [TITLES["public"]]
    oai = requests.get(
        f"{province.url}/oai",
        params={"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        timeout=30,
    ).text
    assert TITLES["public"] in oai
    assert TITLES["region"] not in oai and TITLES["org"] not in oai
    # A source that harvests the county without a token gets the same: public records only. The
    # public record it brings is the one the token brought already, so it becomes a second path
    # of that record (provenance), never a copy.
    make_org(province.hub, code="anon", kind="alliance", region=None)
    anonymous = add_hub_source(province.hub, "litong-public", county.url, "anon", None)
    sync(province.hub, anonymous)
    assert sorted(copies(province.hub)) == sorted(TITLES.values())
    with province.hub.uow() as uow:
        reached = (
            uow.session.execute(
                select(Resource.title)
                .join(ResourcePath, ResourcePath.resource_id == Resource.id)
                .where(ResourcePath.source_id == anonymous)
            )
            .scalars()
            .all()
        )
    assert reached == [TITLES["public"]]


def test_a_withdrawal_at_the_school_reaches_the_province(three_hubs):
    school, county, province = three_hubs
    originals, school_token = _school(school)
    county_source, county_token = _county(county, school.url, school_token)
    province_source = _province(province, county.url, county_token)
    sync(county.hub, county_source)
    sync(province.hub, province_source)

    school.hub.resources.withdraw(make_user(school.hub, admin=True), originals["region"]["id"])
    assert sync(county.hub, county_source)["counts"]["deleted"] == 1
    assert sync(province.hub, province_source)["counts"]["deleted"] == 1
    statuses = {t: r.status for t, r in copies(province.hub).items()}
    assert statuses == {
        TITLES["public"]: "published",
        TITLES["region"]: "withdrawn",
        TITLES["org"]: "published",
    }


@pytest.mark.parametrize("prefix", ["oai_dc", "lom"])
def test_oai_pmh_with_a_token_carries_visibility_and_region(tmp_path, prefix):
    with served_hub(tmp_path, "school") as school, served_hub(tmp_path, "county") as county:
        _originals, token = _school(school)
        make_org(county.hub, code="litong-1", kind="school", region=LITONG)
        source = county.hub.sources.create(
            SYSTEM,
            {
                "name": "litong-1-oai",
                "kind": "oaipmh",
                "url": f"{school.url}/oai",
                "metadata_prefix": prefix,
                "org": "litong-1",
                "allow_private_host": True,
                "token": token,
            },
        )
        assert sync(county.hub, source["id"])["counts"]["created"] == 3
        found = {t: (r.visibility, r.region) for t, r in copies(county.hub).items()}
        assert found == {title: (v, LITONG) for v, title in TITLES.items()}
