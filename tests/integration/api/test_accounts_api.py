"""The /api/v1 orgs, users and tokens endpoints: authentication, permissions, errors in the
envelope."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from hub.db.base import utcnow
from hub.db.models import ApiToken
from tests.factories import PASSWORD, auth_header, make_org, make_token, make_user


@pytest.fixture
def database_url(tmp_path):
    """SQLite only: the service tests cover both databases, and this layer adds no SQL of its
    own."""
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def admin(hub):
    make_user(hub, "admin@nx.cn", admin=True)
    return auth_header(make_token(hub, "admin@nx.cn"))


@pytest.fixture
def tree(hub):
    make_org(hub, "nx", kind="province", region="640000")
    make_org(hub, "nx-yc", kind="city", parent="nx", region="640100")
    make_org(hub, "xq-1", parent="nx-yc", region="640104")
    return hub


def assert_envelope(response, status):
    assert response.status_code == status, response.json
    assert response.json["status"] == status and response.json["message"]
    return response.json


# -- organisations ---------------------------------------------------------------------------------


def test_org_tree_is_public_and_nested(client, tree):
    body = client.get("/api/v1/orgs").json
    assert body["total"] == 3
    [nx] = body["orgs"]
    assert nx["code"] == "nx" and nx["children"][0]["children"][0]["code"] == "xq-1"
    assert "path" not in nx and "id" not in nx


def test_org_tree_filters(client, tree):
    body = client.get("/api/v1/orgs?kind=school").json
    assert [o["code"] for o in body["orgs"]] == ["xq-1"]
    assert client.get("/api/v1/orgs?parent=nx-yc").json["total"] == 1


def test_get_one_org_and_a_missing_one(client, tree):
    assert client.get("/api/v1/orgs/xq-1").json["parent"] == "nx-yc"
    assert_envelope(client.get("/api/v1/orgs/nope"), 404)


def test_create_org_as_admin(client, tree, admin):
    response = client.post(
        "/api/v1/orgs", json={"code": "xq-2", "name": "兴庆二小", "parent": "nx-yc"}, headers=admin
    )
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith("/api/v1/orgs/xq-2")
    assert response.json["region"] == "640100" and response.json["kind"] == "school"


def test_create_org_without_a_token_is_401(client, tree):
    body = assert_envelope(
        client.post("/api/v1/orgs", json={"code": "xq-2", "name": "兴庆二小"}), 401
    )
    assert body["errors"] == []


def test_create_org_with_a_bad_token_is_401(client, tree):
    response = client.post(
        "/api/v1/orgs", json={"code": "xq-2", "name": "x"}, headers=auth_header("ehk_bogus" * 5)
    )
    assert_envelope(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_duplicate_org_code_is_409(client, tree, admin):
    assert_envelope(
        client.post(
            "/api/v1/orgs", json={"code": "xq-1", "name": "x", "parent": "nx-yc"}, headers=admin
        ),
        409,
    )


def test_invalid_org_is_422_with_fields(client, tree, admin):
    body = assert_envelope(
        client.post(
            "/api/v1/orgs", json={"code": "中文", "name": "x", "kind": "company"}, headers=admin
        ),
        422,
    )
    assert {e["field"] for e in body["errors"]} == {"code", "kind"}


def test_unknown_region_is_422(client, tree, admin):
    body = assert_envelope(
        client.post(
            "/api/v1/orgs", json={"code": "x-1", "name": "x", "region": "110101"}, headers=admin
        ),
        422,
    )
    assert body["errors"][0]["field"] == "region"


# -- users -----------------------------------------------------------------------------------------


def test_admin_creates_a_user_without_echoing_the_password(client, tree, admin):
    response = client.post(
        "/api/v1/users",
        headers=admin,
        json={
            "email": "li@xq1.cn",
            "password": PASSWORD,
            "name": "李老师",
            "org": "xq-1",
            "role": "contributor",
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["memberships"] == [
        {"org": "xq-1", "org_name": "机构 xq-1", "role": "contributor"}
    ]
    assert "password" not in response.json and "password_hash" not in response.json


def test_teacher_creating_users_is_403(client, tree):
    make_user(tree, "t@xq1.cn", org="xq-1", role="teacher")
    headers = auth_header(make_token(tree, "t@xq1.cn"))
    assert_envelope(
        client.post(
            "/api/v1/users",
            headers=headers,
            json={"email": "x@xq1.cn", "password": PASSWORD, "org": "xq-1", "role": "teacher"},
        ),
        403,
    )
    assert_envelope(client.get("/api/v1/users", headers=headers), 403)


def test_org_admin_lists_their_members(client, tree):
    make_user(tree, "boss@yc.cn", org="nx-yc", role="org_admin")
    make_user(tree, "t@xq1.cn", org="xq-1")
    make_user(tree, "p@nx.cn", org="nx")
    body = client.get("/api/v1/users", headers=auth_header(make_token(tree, "boss@yc.cn"))).json
    assert [u["email"] for u in body["users"]] == ["boss@yc.cn", "t@xq1.cn"]


def test_duplicate_email_is_409_and_short_password_422(client, tree, admin):
    make_user(tree, "li@xq1.cn")
    body = assert_envelope(
        client.post(
            "/api/v1/users", headers=admin, json={"email": "li@xq1.cn", "password": PASSWORD}
        ),
        409,
    )
    assert body["errors"][0]["field"] == "email"
    body = assert_envelope(
        client.post(
            "/api/v1/users", headers=admin, json={"email": "new@xq1.cn", "password": "short"}
        ),
        422,
    )
    assert body["errors"][0]["field"] == "password"


def test_users_me(client, tree):
    make_user(tree, "li@xq1.cn", org="xq-1", role="reviewer")
    body = client.get("/api/v1/users/me", headers=auth_header(make_token(tree, "li@xq1.cn"))).json
    assert body["email"] == "li@xq1.cn" and body["memberships"][0]["role"] == "reviewer"
    assert_envelope(client.get("/api/v1/users/me"), 401)


# -- tokens ----------------------------------------------------------------------------------------


def test_first_token_from_email_and_password_is_shown_once(client, hub):
    make_user(hub, "li@xq1.cn")
    response = client.post(
        "/api/v1/tokens",
        json={"email": "li@xq1.cn", "password": PASSWORD, "name": "cron", "expires_days": 30},
    )
    assert response.status_code == 201, response.json
    assert response.headers["Cache-Control"] == "no-store"
    token = response.json["token"]
    assert (
        token.startswith("ehk_")
        and response.json["prefix"] == token[:8]
        and response.json["expires"]
    )
    listed = client.get("/api/v1/tokens", headers=auth_header(token)).json["tokens"]
    assert [t["name"] for t in listed] == ["cron"] and "token" not in listed[0]
    with hub.db.session() as session:
        stored = session.scalar(select(ApiToken))
        assert token not in (stored.token_hash, stored.prefix)


def test_token_from_a_token(client, hub):
    make_user(hub, "li@xq1.cn")
    response = client.post(
        "/api/v1/tokens", json={"name": "second"}, headers=auth_header(make_token(hub, "li@xq1.cn"))
    )
    assert response.status_code == 201 and response.json["user"] == "li@xq1.cn"


def test_wrong_password_is_401_and_repeated_failures_429(client, hub):
    make_user(hub, "li@xq1.cn")
    for _ in range(hub.accounts.throttle.account_limits[0].amount):
        assert_envelope(
            client.post("/api/v1/tokens", json={"email": "li@xq1.cn", "password": "wrong pass"}),
            401,
        )
    assert_envelope(
        client.post("/api/v1/tokens", json={"email": "li@xq1.cn", "password": PASSWORD}), 429
    )


def test_token_request_without_credentials_is_401_and_bad_expiry_422(client, hub):
    assert_envelope(client.post("/api/v1/tokens", json={"name": "x"}), 401)
    make_user(hub, "li@xq1.cn")
    body = assert_envelope(
        client.post(
            "/api/v1/tokens", json={"email": "li@xq1.cn", "password": PASSWORD, "expires_days": 0}
        ),
        422,
    )
    assert body["errors"][0]["field"] == "expires_days"


def test_revoked_token_is_rejected(client, hub):
    make_user(hub, "li@xq1.cn")
    token = make_token(hub, "li@xq1.cn")
    [info] = client.get("/api/v1/tokens", headers=auth_header(token)).json["tokens"]
    assert (
        client.delete(f"/api/v1/tokens/{info['id']}", headers=auth_header(token)).status_code == 204
    )
    assert (
        "revoked"
        in assert_envelope(client.get("/api/v1/users/me", headers=auth_header(token)), 401)[
            "message"
        ]
    )


def test_expired_token_is_rejected(client, hub):
    make_user(hub, "li@xq1.cn")
    token = make_token(hub, "li@xq1.cn", expires_days=1)
    with hub.db.session() as session:
        session.execute(update(ApiToken).values(expires=utcnow() - timedelta(minutes=1)))
        session.commit()
    assert (
        "expired"
        in assert_envelope(client.get("/api/v1/users/me", headers=auth_header(token)), 401)[
            "message"
        ]
    )


def test_someone_elses_token_cannot_be_revoked(client, hub):
    make_user(hub, "li@xq1.cn")
    make_user(hub, "wang@xq1.cn")
    make_token(hub, "li@xq1.cn")
    with hub.db.session() as session:
        li_token_id = session.scalar(select(ApiToken.id))
    wang = auth_header(make_token(hub, "wang@xq1.cn"))
    assert_envelope(client.delete(f"/api/v1/tokens/{li_token_id}", headers=wang), 404)


def test_openapi_documents_the_account_endpoints(client):
    spec = client.get("/api/openapi.json").json
    assert {
        "/api/v1/orgs",
        "/api/v1/orgs/{code}",
        "/api/v1/users",
        "/api/v1/users/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    } <= set(spec["paths"])
    assert "TokenCreate" in spec["components"]["schemas"]
