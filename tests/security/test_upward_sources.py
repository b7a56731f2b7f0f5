"""A child hub harvested with a token: what it may claim of a record's readers, and where the
token goes (its own origin only, sealed at rest, never shown, never logged)."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from connectors.base import Upsert
from hub.db.models import Resource
from hub.db.models.sources import Source
from hub.security.credentials import SEALED, CredentialBox
from hub.security.principal import SYSTEM
from tests.factories import auth_header, make_org, make_user
from tests.support.fake_source import record
from tests.support.http_server import LoopbackServer
from tests.support.upward import sqlite_url
from tests.unit.hub.services.test_sync import ScriptedConnector

TOKEN = "ehk_" + "S3cr3t-child-token-" * 2
LITONG = "640302"


@pytest.fixture
def database_url(tmp_path):
    return sqlite_url(tmp_path)


def change(seq: int, rid: str, **fields) -> dict:
    resource = {"id": rid, **record(seq), **fields}
    return {"seq": seq, "op": "upsert", "resource": resource}


CLAIMS = {
    "ok-region": {"visibility": "region", "region": LITONG},
    "ok-org": {"visibility": "org", "region": LITONG},
    "ok-public-elsewhere": {"visibility": "public", "region": "640104"},
    "bad-unknown-visibility": {"visibility": "secret", "region": LITONG},
    "bad-province-wide": {"visibility": "region", "region": "640000"},
    "bad-other-county": {"visibility": "org", "region": "640104"},
    "bad-unknown-region": {"visibility": "public", "region": "999999"},
}


@pytest.fixture
def child():
    def answer(request):
        if request.path == "/api/v1/changes" and "since" not in request.query:
            changes = [change(i, rid, **f) for i, (rid, f) in enumerate(CLAIMS.items(), 1)]
            return 200, {"changes": changes, "next": str(len(changes))}
        if request.path == "/api/v1/changes":
            return 200, {"changes": [], "next": request.query["since"]}
        return 404, b""

    with LoopbackServer(answer) as server:
        yield server


def _source(hub, url: str, org: str = "litong", **more) -> dict:
    data = {"name": "child", "kind": "hub", "url": url, "org": org, "allow_private_host": True}
    return hub.sources.create(SYSTEM, {**data, "token": TOKEN, **more})


def _run(hub, source_id: int) -> dict:
    return hub.sync.run(hub.sync.start(SYSTEM, source_id)["id"])


def test_claims_beyond_the_childs_region_fail_alone_with_their_reason(hub, child):
    make_org(hub, code="litong", kind="county", region=LITONG)
    run = _run(hub, _source(hub, child.url)["id"])
    assert run["status"] == "partial"
    assert run["counts"]["created"] == 3 and run["counts"]["failed"] == 4
    reasons = {f["external_id"]: f["reason"] for f in hub.sync.failures(SYSTEM, run["id"])}
    assert set(reasons) == {rid for rid in CLAIMS if rid.startswith("bad-")}
    assert "'secret' is not one this hub knows" in reasons["bad-unknown-visibility"]
    assert "outside the source's region 640302" in reasons["bad-province-wide"]
    assert "outside the source's region 640302" in reasons["bad-other-county"]
    assert "region" in reasons["bad-unknown-region"]
    with hub.uow() as uow:
        kept = {
            r.external_id: (r.visibility, r.region)
            for r in uow.session.scalars(select(Resource).where(Resource.source_id.is_not(None)))
        }
    assert kept == {
        "ok-region": ("region", LITONG),
        "ok-org": ("org", LITONG),
        "ok-public-elsewhere": ("public", "640104"),
    }
    assert child.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_source_without_a_region_cannot_place_region_only_records(hub, child):
    make_org(hub, code="alliance", kind="alliance", region=None)
    run = _run(hub, _source(hub, child.url, org="alliance")["id"])
    reasons = {f["external_id"]: f["reason"] for f in hub.sync.failures(SYSTEM, run["id"])}
    assert "has no region" in reasons["ok-region"]


def test_the_token_is_sealed_never_shown_and_never_logged(hub, child, client, caplog):
    caplog.set_level(logging.DEBUG)
    make_org(hub, code="litong", kind="county", region=LITONG)
    created = _source(hub, child.url, options={"retries": 0})
    assert created["token_set"] is True and TOKEN not in json.dumps(created, default=str)
    with hub.uow() as uow:
        options = uow.session.get(Source, created["id"]).options
    assert TOKEN not in json.dumps(options) and SEALED in options
    assert CredentialBox("test-secret").open_options(options)["token"] == TOKEN
    assert "token" not in CredentialBox("another hub's key").open_options(options)

    _run(hub, created["id"])
    hub.sources.update(SYSTEM, created["id"], {"token": TOKEN + "-renewed"})
    _run(hub, created["id"])
    assert child.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}-renewed"

    admin = make_user(hub, email="root@hub.cn", admin=True)
    token, _ = hub.accounts.create_token(admin, name="ops")
    listed = client.get("/api/v1/sources", headers=auth_header(token))
    audit = client.get("/api/v1/audit", headers=auth_header(token))
    assert listed.status_code == 200 and audit.status_code == 200
    for text in (listed.get_data(as_text=True), audit.get_data(as_text=True), caplog.text):
        assert TOKEN not in text
    assert listed.get_json()["sources"][0]["token_set"] is True


def test_the_token_goes_to_the_childs_origin_only(hub):
    with LoopbackServer(lambda request: (200, b"%PDF-1.4 elsewhere\n")) as elsewhere:
        feed = {
            "changes": [
                change(
                    1,
                    "r1",
                    files=[{"name": "a.pdf", "size": 19, "sha256": None}],
                    links={"files": {"a.pdf": f"{elsewhere.url}/a.pdf"}},
                )
            ],
            "next": "1",
        }

        def answer(request):
            return 200, feed if "since" not in request.query else {"changes": [], "next": "1"}

        with LoopbackServer(answer) as child:
            make_org(hub, code="litong", kind="county", region=LITONG)
            options = {"file_origins": [elsewhere.url]}
            _run(hub, _source(hub, child.url, options=options)["id"])
        assert child.requests and all(
            r.headers["Authorization"] == f"Bearer {TOKEN}" for r in child.requests
        )
        assert elsewhere.requests and all(
            "Authorization" not in r.headers for r in elsewhere.requests
        )


def test_a_retry_of_a_refused_claim_is_checked_again(hub):
    make_org(hub, code="litong", kind="county", region=LITONG)
    source = hub.sources.create(
        SYSTEM, {"name": "child", "kind": "hub", "url": "https://child.example.cn", "org": "litong"}
    )
    wide = record(1, visibility="region", region="640000")
    run = hub.sync.start(SYSTEM, source["id"])
    run = hub.sync.run(run["id"], connector=ScriptedConnector([Upsert("r1", wide)]))
    assert run["counts"]["failed"] == 1
    again = ScriptedConnector([], fixed={"r1": wide})
    assert hub.sync.retry_failures(SYSTEM, run["id"], connector=again)["resolved"] == 0
    fixed = ScriptedConnector([], fixed={"r1": {**wide, "region": LITONG}})
    assert hub.sync.retry_failures(SYSTEM, run["id"], connector=fixed)["resolved"] == 1
