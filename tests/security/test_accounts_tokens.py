"""Tokens: scopes enforced, no longer-lived or wider offspring, no account enumeration (issue 9)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.db.base import utcnow
from hub.db.models import ApiToken
from hub.security.principal import SYSTEM
from tests.factories import auth_header, make_token, make_user
from tests.resource_factories import make_world, valid_record


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


def token(hub, email, *, days=None, scopes=None):
    secret, _ = hub.accounts.create_token(SYSTEM, email=email, expires_days=days, scopes=scopes)
    return auth_header(secret)


def expiry_of(hub, secret):
    with hub.db.session() as session:
        return session.scalar(select(ApiToken.expires).where(ApiToken.prefix == secret[:8]))


def test_a_one_day_token_cannot_mint_a_longer_lived_one(client, hub):
    make_user(hub, "t@nx.cn")
    day = token(hub, "t@nx.cn", days=1)
    longer = client.post("/api/v1/tokens", json={"expires_days": 30}, headers=day)
    assert longer.status_code == 403, longer.json
    unasked = client.post("/api/v1/tokens", json={"name": "child"}, headers=day)
    assert unasked.status_code == 201
    assert unasked.json["expires"] is not None
    assert expiry_of(hub, unasked.json["token"]) <= utcnow() + timedelta(days=1)
    child = auth_header(unasked.json["token"])
    assert client.post("/api/v1/tokens", json={}, headers=child).json["expires"] is not None


def test_a_session_or_password_may_mint_a_token_without_expiry(client, hub):
    make_user(hub, "t@nx.cn")
    body = {"email": "t@nx.cn", "password": "correct horse battery"}
    answer = client.post("/api/v1/tokens", json=body)
    assert answer.status_code == 201 and answer.json["expires"] is None


def test_a_token_cannot_mint_wider_scopes(client, hub):
    make_user(hub, "t@nx.cn")
    reader_writer = token(hub, "t@nx.cn", scopes=["read", "write"])
    wider = client.post("/api/v1/tokens", json={"scopes": ["admin"]}, headers=reader_writer)
    assert wider.status_code == 403
    same = client.post("/api/v1/tokens", json={}, headers=reader_writer)
    assert same.status_code == 201 and same.json["scopes"] == ["read", "write"]
    narrower = client.post("/api/v1/tokens", json={"scopes": ["read"]}, headers=reader_writer)
    assert narrower.json["scopes"] == ["read"]


def test_a_read_token_cannot_write(client, hub):
    world = make_world(hub)
    assert world
    reader = token(hub, "c@example.cn", scopes=["read"])
    writer = token(hub, "c@example.cn", scopes=["read", "write"])
    record = valid_record(org="xq-school-1")
    denied = client.post("/api/v1/resources", json=record, headers=reader)
    assert denied.status_code == 403 and "write" in denied.json["message"]
    assert client.get("/api/v1/users/me", headers=reader).status_code == 200
    assert client.post("/api/v1/resources", json=record, headers=writer).status_code == 201
    assert client.post("/api/v1/tokens", json={}, headers=reader).status_code == 403


def test_a_harvest_token_reads_the_feeds_only(client, hub):
    make_user(hub, "peer@nx.cn")
    harvest = token(hub, "peer@nx.cn", scopes=["harvest"])
    assert client.get("/api/v1/changes", headers=harvest).status_code == 200
    assert client.get("/api/v1/users/me", headers=harvest).status_code == 403


def test_admin_powers_need_the_admin_scope(client, hub):
    make_user(hub, "root@nx.cn", admin=True)
    plain = token(hub, "root@nx.cn", scopes=["read", "write"])
    full = token(hub, "root@nx.cn", scopes=["read", "write", "admin"])
    body = {"email": "new@nx.cn", "password": "long enough pw"}
    assert client.get("/api/v1/audit", headers=plain).status_code == 403
    assert client.post("/api/v1/users", json=body, headers=plain).status_code == 403
    assert client.post("/api/v1/users", json=body, headers=full).status_code == 201
    assert client.get("/api/v1/audit", headers=full).status_code == 200


def test_post_tokens_answers_alike_for_known_and_unknown_emails(client, hub):
    make_user(hub, "t@nx.cn")
    make_user(hub, "other@nx.cn")
    headers = auth_header(make_token(hub, "t@nx.cn"))
    known = client.post("/api/v1/tokens", json={"email": "other@nx.cn"}, headers=headers)
    unknown = client.post("/api/v1/tokens", json={"email": "nobody@nx.cn"}, headers=headers)
    assert known.status_code == unknown.status_code == 403
    assert known.json == unknown.json
