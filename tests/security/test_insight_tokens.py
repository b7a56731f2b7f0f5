"""A bearer token is resolved afresh on each request: a revoked token, a disabled user or a removed
role is refused on the very next request, and the one-query principal equals the ORM one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from hub.db.models.accounts import ApiToken, Membership, User
from hub.security.principal import SYSTEM
from tests.factories import auth_header, make_org, make_token, make_user

REGIONS = "/api/v1/stats/regions"


def _org_admin(hub, email="oa@example.cn") -> dict:
    make_org(hub, code="county", kind="county", region="640104", name="兴庆区教研室")
    make_org(hub, code="school", kind="school", region="640104", name="学校", parent="county")
    make_user(hub, email=email, org="county", role="org_admin")
    return auth_header(make_token(hub, email))


def test_a_revoked_token_is_refused_on_the_next_request(client, hub):
    headers = _org_admin(hub)
    assert client.get(REGIONS, headers=headers).status_code == 200
    with hub.db.session() as session:
        token_id = session.scalar(select(ApiToken.id))
    hub.accounts.revoke_token(SYSTEM, token_id)
    response = client.get(REGIONS, headers=headers)
    assert response.status_code == 401 and "revoked" in response.json["message"]


def test_a_disabled_user_is_refused_on_the_next_request(client, hub):
    headers = _org_admin(hub)
    assert client.get(REGIONS, headers=headers).status_code == 200
    hub.accounts.set_active(SYSTEM, False, email="oa@example.cn")
    assert client.get(REGIONS, headers=headers).status_code == 401


def test_a_user_flagged_inactive_is_refused_even_with_an_unrevoked_token(client, hub):
    headers = _org_admin(hub)
    assert client.get(REGIONS, headers=headers).status_code == 200
    with hub.db.session() as session:
        session.execute(update(User).values(is_active=False))
        session.commit()
    assert client.get(REGIONS, headers=headers).status_code == 401


def test_a_removed_role_is_gone_on_the_next_request(client, hub):
    headers = _org_admin(hub)
    assert client.get(REGIONS, headers=headers).status_code == 200
    with hub.db.session() as session:
        session.execute(delete(Membership))
        session.commit()
    assert client.get(REGIONS, headers=headers).status_code == 403


def test_an_expired_token_is_refused(client, hub):
    headers = _org_admin(hub)
    with hub.db.session() as session:
        session.execute(update(ApiToken).values(expires=datetime(2026, 1, 1, tzinfo=UTC)))
        session.commit()
    response = client.get(REGIONS, headers=headers)
    assert response.status_code == 401 and "expired" in response.json["message"]


def test_the_one_query_principal_equals_the_orm_one(hub):
    headers = _org_admin(hub)
    make_org(hub, code="other", kind="school", region="640521", name="另一所学校")
    hub.accounts.add_membership(SYSTEM, email="oa@example.cn", org="other", role="reviewer")
    hub.accounts.add_membership(SYSTEM, email="oa@example.cn", org="school", role="teacher")
    secret = headers["Authorization"].split()[1]
    fast = hub.accounts.principal_for_token(secret, ip="10.0.0.9")
    with hub.db.session() as session:
        user = session.scalar(select(User))
        token = session.scalar(select(ApiToken))
        slow = hub.accounts.principal_for(user, ip="10.0.0.9", token=token)
    # Roles are a set to every check (has_role_over, scope); the ORM gives them in no fixed order.
    assert set(fast.roles) == set(slow.roles) and len(fast.roles) == 3
    assert fast == slow.__class__(**{**slow.__dict__, "roles": fast.roles})


def test_an_admin_token_without_the_admin_scope_is_not_admin(hub):
    make_user(hub, email="root@example.cn", admin=True)
    secret, _ = hub.accounts.create_token(SYSTEM, email="root@example.cn", scopes=["read"])
    principal = hub.accounts.principal_for_token(secret)
    assert not principal.is_admin and principal.scopes == frozenset({"read"})
