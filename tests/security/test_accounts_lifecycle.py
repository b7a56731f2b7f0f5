"""Passwords are changed and accounts disabled by the right people, at once, audited (issue 9)."""

import pytest
from sqlalchemy import select

from hub.db.models import AuditEntry, User
from hub.security.principal import SYSTEM
from tests.factories import PASSWORD, auth_header, make_org, make_token, make_user

NEW = "a brand new passphrase"


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def people(hub):
    make_org(hub, "xq", kind="county", region="640104")
    make_org(hub, "xq-1", parent="xq", region="640104")
    make_org(hub, "gy", kind="county", region="640402")
    make_user(hub, "root@nx.cn", admin=True)
    make_user(hub, "head@xq1.cn", org="xq-1", role="org_admin")
    make_user(hub, "t@xq1.cn", org="xq-1")
    make_user(hub, "t@gy.cn", org="gy")
    make_user(hub, "boss@xq.cn", org="xq", role="org_admin")
    hub.accounts.add_membership(SYSTEM, email="boss@xq.cn", org="xq-1", role="teacher")
    return {e: auth_header(make_token(hub, e)) for e in ("root@nx.cn", "head@xq1.cn", "t@xq1.cn")}


def user_id(hub, email):
    with hub.db.session() as session:
        return session.scalar(select(User.id).where(User.email == email))


def login(client, email, password):
    """A fresh client: the test's own carries a session cookie, and cookie writes need CSRF."""
    fresh = client.application.test_client()
    return fresh.post("/api/v1/tokens", json={"email": email, "password": password})


def actions(hub):
    with hub.db.session() as session:
        return [a for a in session.scalars(select(AuditEntry.action)) if a.startswith("user.")]


def test_a_disabled_users_token_and_session_stop_at_once(client, hub, people):
    teacher = people["t@xq1.cn"]
    with client.session_transaction() as session:
        session["uid"] = user_id(hub, "t@xq1.cn")
    assert client.get("/api/v1/users/me").status_code == 200
    assert client.get("/api/v1/users/me", headers=teacher).status_code == 200
    uid = user_id(hub, "t@xq1.cn")
    answer = client.post(f"/api/v1/users/{uid}/actions/disable", headers=people["head@xq1.cn"])
    assert answer.status_code == 200 and answer.json["is_active"] is False
    assert client.get("/api/v1/users/me", headers=teacher).status_code == 401
    assert client.get("/api/v1/users/me").status_code == 401
    assert login(client, "t@xq1.cn", PASSWORD).status_code == 401
    assert "user.disable" in actions(hub)
    enable = client.post(f"/api/v1/users/{uid}/actions/enable", headers=people["root@nx.cn"])
    assert enable.json["is_active"] is True
    assert login(client, "t@xq1.cn", PASSWORD).status_code == 201
    # Tokens revoked when the account was disabled stay revoked.
    assert client.get("/api/v1/users/me", headers=teacher).status_code == 401


@pytest.mark.parametrize("target", ["root@nx.cn", "t@gy.cn", "boss@xq.cn"])
def test_an_org_admin_manages_only_its_own_people(client, hub, people, target):
    """Not admins, not other schools' people, not someone who also holds a role above them."""
    head = people["head@xq1.cn"]
    uid = user_id(hub, target)
    assert client.post(f"/api/v1/users/{uid}/actions/disable", headers=head).status_code == 403
    body = {"password": NEW}
    assert client.post(f"/api/v1/users/{uid}/password", json=body, headers=head).status_code == 403
    assert login(client, target, PASSWORD).status_code == 201


def test_a_teacher_cannot_manage_anyone(client, hub, people):
    uid = user_id(hub, "head@xq1.cn")
    teacher = people["t@xq1.cn"]
    assert client.post(f"/api/v1/users/{uid}/actions/disable", headers=teacher).status_code == 403


def test_an_admin_sets_a_password(client, hub, people):
    uid = user_id(hub, "t@gy.cn")
    body = {"password": NEW}
    answer = client.post(f"/api/v1/users/{uid}/password", json=body, headers=people["root@nx.cn"])
    assert answer.status_code == 204
    assert login(client, "t@gy.cn", PASSWORD).status_code == 401
    assert login(client, "t@gy.cn", NEW).status_code == 201
    assert "user.set_password" in actions(hub)


def test_a_user_changes_their_own_password_with_the_current_one(client, hub, people):
    uid, own = user_id(hub, "t@xq1.cn"), people["t@xq1.cn"]
    url = f"/api/v1/users/{uid}/password"
    assert client.post(url, json={"password": NEW}, headers=own).status_code == 422
    wrong = {"password": NEW, "current_password": "not it at all"}
    assert client.post(url, json=wrong, headers=own).status_code == 401
    right = {"password": NEW, "current_password": PASSWORD}
    assert client.post(url, json=right, headers=own).status_code == 204
    assert login(client, "t@xq1.cn", NEW).status_code == 201
    assert "user.change_password" in actions(hub)


def test_nobody_disables_themselves(client, hub, people):
    uid = user_id(hub, "root@nx.cn")
    root = people["root@nx.cn"]
    assert client.post(f"/api/v1/users/{uid}/actions/disable", headers=root).status_code == 403
