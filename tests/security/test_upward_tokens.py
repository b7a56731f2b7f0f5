"""Hostile uses of harvest tokens: another subtree, writes and other reads, revoked and expired
tokens, an issuer who leaves, and the public feeds unchanged for everyone else."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from hub.db.base import utcnow
from hub.db.models.accounts import ApiToken, Membership
from hub.errors import Forbidden, ValidationFailed
from tests.factories import auth_header, make_org, make_token, make_user
from tests.resource_factories import PDF_BYTES, valid_record
from tests.support.upward import publish_record, sqlite_url

LITONG, XINGQING = "640302", "640104"


@pytest.fixture
def database_url(tmp_path):
    return sqlite_url(tmp_path)


@pytest.fixture
def tree(hub):
    """Two schools in two counties, each with an org_admin and a public, region and org record."""
    make_org(hub, code="ningxia", kind="province", region="640000")
    for county, school, region in (("litong", "lt-1", LITONG), ("xingqing", "xq-1", XINGQING)):
        make_org(hub, code=county, kind="county", parent="ningxia", region=region)
        make_org(hub, code=school, kind="school", parent=county, region=region)
        make_user(hub, email=f"admin@{school}.cn", org=school, role="org_admin")
        for visibility in ("public", "region", "org"):
            publish_record(
                hub, school, f"{school} {visibility}", visibility=visibility, region=region
            )
    return hub


def _harvest_token(hub, school: str) -> str:
    admin = hub.accounts.principal_for_email(f"admin@{school}.cn")
    token, _ = hub.accounts.create_token(admin, name="parent", org=school)
    return token


def _feed_titles(client, headers=None) -> set[str]:
    answer = client.get("/api/v1/changes", headers=headers or {})
    assert answer.status_code == 200, answer.get_json()
    return {c["resource"]["title"] for c in answer.get_json()["changes"]}


def test_a_token_reads_its_own_subtree_and_nothing_of_another(tree, client):
    titles = _feed_titles(client, auth_header(_harvest_token(tree, "lt-1")))
    assert titles == {"lt-1 public", "lt-1 region", "lt-1 org", "xq-1 public"}
    oai = client.get(
        "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc",
        headers=auth_header(_harvest_token(tree, "xq-1")),
    )
    assert oai.data.count(b"<identifier>") == 4  # xq-1's three and lt-1's public one


def test_the_feeds_without_a_token_are_what_public_harvesters_saw_before(tree, client):
    assert _feed_titles(client) == {"lt-1 public", "xq-1 public"}
    oai = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").data.decode()
    assert "lt-1 public" in oai and "region" not in oai and "visibility:" not in oai
    # A token that is not bound to an organisation (a person's full token) reads the same.
    make_user(tree, email="reader@lt-1.cn", org="lt-1")
    assert _feed_titles(client, auth_header(make_token(tree, "reader@lt-1.cn"))) == {
        "lt-1 public",
        "xq-1 public",
    }


def test_an_org_admin_cannot_issue_a_token_for_another_subtree(tree):
    admin = tree.accounts.principal_for_email("admin@lt-1.cn")
    with pytest.raises(Forbidden):
        tree.accounts.create_token(admin, name="grab", org="xq-1")
    with pytest.raises(Forbidden):
        tree.accounts.create_token(admin, name="climb", org="litong")  # the county above
    teacher = make_user(tree, org="lt-1", role="teacher")
    with pytest.raises(Forbidden):
        tree.accounts.create_token(teacher, name="mine", org="lt-1")


def test_a_bound_token_has_the_harvest_scope_alone(tree):
    admin = tree.accounts.principal_for_email("admin@lt-1.cn")
    for scopes in (["harvest", "write"], ["read"], ["harvest", "admin"]):
        with pytest.raises(ValidationFailed):
            tree.accounts.create_token(admin, name="wide", org="lt-1", scopes=scopes)


def test_a_harvest_token_can_neither_write_nor_read_anything_else(tree, client):
    headers = auth_header(_harvest_token(tree, "lt-1"))
    record = valid_record(org="lt-1", title="注入")
    assert client.post("/api/v1/resources", json=record, headers=headers).status_code == 403
    # (What anyone may read without a token, e.g. the list of organisations, it reads as anyone.)
    for path in ("/api/v1/resources", "/api/v1/users/me", "/api/v1/sources", "/api/v1/audit"):
        assert client.get(path, headers=headers).status_code == 403, path
    assert client.post("/api/v1/tokens", json={}, headers=headers).status_code == 403
    some_id = next(iter(_ids(client, headers)))
    assert client.get(f"/api/v1/resources/{some_id}", headers=headers).status_code == 403
    assert client.delete(f"/api/v1/resources/{some_id}", headers=headers).status_code == 403
    assert (
        client.patch(
            f"/api/v1/resources/{some_id}", json={"title": "x"}, headers=headers
        ).status_code
        == 403
    )
    assert client.post("/oai", data={"verb": "Identify"}, headers=headers).status_code == 200


def _ids(client, headers) -> list[str]:
    return [
        c["resource"]["id"] for c in client.get("/api/v1/changes", headers=headers).json["changes"]
    ]


def test_revoked_expired_and_orphaned_tokens_are_refused(tree, client):
    admin = tree.accounts.principal_for_email("admin@lt-1.cn")
    revoked, info = tree.accounts.create_token(admin, name="old", org="lt-1")
    tree.accounts.revoke_token(admin, info["id"])
    assert client.get("/api/v1/changes", headers=auth_header(revoked)).status_code == 401

    expired, info = tree.accounts.create_token(admin, name="short", org="lt-1", expires_days=1)
    with tree.uow() as uow:
        uow.session.execute(
            update(ApiToken)
            .where(ApiToken.id == info["id"])
            .values(expires=utcnow() - timedelta(seconds=1))
        )
        uow.commit()
    assert client.get("/oai?verb=Identify", headers=auth_header(expired)).status_code == 401

    # An issuer who is no longer the school's org_admin takes the parent's access along.
    orphan = _harvest_token(tree, "lt-1")
    with tree.uow() as uow:
        uow.session.execute(delete(Membership).where(Membership.role == "org_admin"))
        uow.commit()
    assert client.get("/api/v1/changes", headers=auth_header(orphan)).status_code == 401


def test_a_harvest_token_downloads_harvestable_files_but_not_its_owners_drafts(tree, client):
    admin = tree.accounts.principal_for_email("admin@lt-1.cn")
    headers = auth_header(_harvest_token(tree, "lt-1"))
    draft = tree.resources.create(admin, valid_record(org="lt-1", title="草稿"))
    tree.files.upload(
        admin,
        draft["id"],
        "a.pdf",
        io.BytesIO(PDF_BYTES),
        content_length=len(PDF_BYTES),
        digest=None,
    )
    own = client.get(f"/api/v1/resources/{draft['id']}/files/a.pdf", headers=headers)
    assert own.status_code in (403, 404)
    region_only = next(
        c["resource"]
        for c in client.get("/api/v1/changes", headers=headers).json["changes"]
        if c["resource"]["title"] == "lt-1 region"
    )
    name = region_only["files"][0]["name"]
    url = f"/api/v1/resources/{region_only['id']}/files/{name}"
    assert client.get(url, headers=headers).status_code == 200
    assert client.get(url).status_code in (403, 404)  # anonymous: not a public record


def test_tokens_are_bound_over_the_api_by_org_admins_of_the_subtree_only(tree, client):
    full, _ = tree.accounts.create_token(
        tree.accounts.principal_for_email("admin@lt-1.cn"), name="admin's own"
    )
    headers = auth_header(full)
    made = client.post("/api/v1/tokens", json={"org": "lt-1", "name": "county"}, headers=headers)
    assert made.status_code == 201 and (made.json["org"], made.json["scopes"]) == (
        "lt-1",
        ["harvest"],
    )
    other = client.post("/api/v1/tokens", json={"org": "xq-1"}, headers=headers)
    assert other.status_code == 403
    wide = client.post("/api/v1/tokens", json={"org": "lt-1", "scopes": ["read"]}, headers=headers)
    assert wide.status_code == 422
    listed = client.get("/api/v1/tokens", headers=headers).json["tokens"]
    assert {t["org"] for t in listed} == {None, "lt-1"}
