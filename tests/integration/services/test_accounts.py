"""AccountService on SQLite and PostgreSQL: the organisation tree, users, roles, log-in and
tokens."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from hub.db.base import utcnow
from hub.db.models import ApiToken, AuditEntry, User
from hub.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthenticated,
    ValidationFailed,
)
from hub.security.principal import ANONYMOUS, SYSTEM
from hub.security.throttle import LoginThrottle
from tests.factories import PASSWORD, make_org, make_token, make_user


@pytest.fixture
def tree(hub):
    """宁夏 > 银川市 > 兴庆区 > two schools, and an alliance at the top."""
    make_org(hub, "nx", kind="province", region="640000")
    make_org(hub, "nx-yc", kind="city", parent="nx", region="640100")
    make_org(hub, "nx-yc-xq", kind="county", parent="nx-yc", region="640104")
    make_org(hub, "xq-1", parent="nx-yc-xq")
    make_org(hub, "xq-2", parent="nx-yc-xq")
    make_org(hub, "alliance", kind="alliance", region=None)
    return hub


def actions(hub):
    with hub.db.session() as session:
        return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


# -- organisations ---------------------------------------------------------------------------------


def test_org_path_follows_the_parent_chain(tree):
    nx, city, school = (
        tree.accounts.get_org("nx"),
        tree.accounts.get_org("nx-yc"),
        tree.accounts.get_org("xq-1"),
    )
    assert nx["path"] == f"/{nx['id']}/"
    assert city["path"] == f"/{nx['id']}/{city['id']}/"
    assert school["path"].startswith(tree.accounts.get_org("nx-yc-xq")["path"])
    assert school["parent"] == "nx-yc-xq" and school["depth"] == 3


def test_org_create_is_audited(hub):
    make_org(hub, "xq-9")
    assert actions(hub) == ["org.create"]


def test_region_defaults_to_the_parents(tree):
    assert tree.accounts.get_org("xq-1")["region"] == "640104"


def test_list_orgs_under_a_parent_gives_its_descendants(tree):
    assert [o["code"] for o in tree.accounts.list_orgs(ANONYMOUS, parent="nx-yc")] == [
        "nx-yc-xq",
        "xq-1",
        "xq-2",
    ]
    assert [o["code"] for o in tree.accounts.list_orgs(ANONYMOUS, kind="school")] == [
        "xq-1",
        "xq-2",
    ]


@pytest.mark.parametrize(
    "kind, parent",
    [("school", "xq-1"), ("city", "nx-yc-xq"), ("province", "nx"), ("county", "alliance")],
)
def test_a_child_must_be_of_a_lower_level(tree, kind, parent):
    with pytest.raises(ValidationFailed) as caught:
        tree.accounts.create_org(SYSTEM, code="child", name="下级", kind=kind, parent=parent)
    assert caught.value.errors[0]["field"] == "parent"


def test_alliances_sit_anywhere_and_hold_schools(tree):
    make_org(tree, "sub-alliance", kind="alliance", parent="xq-1")
    make_org(tree, "member-school", parent="alliance")
    assert tree.accounts.get_org("member-school")["parent"] == "alliance"


@pytest.mark.parametrize(
    "field, values",
    [
        ("code", {"code": "中文"}),
        ("code", {"code": "x"}),
        ("kind", {"kind": "company"}),
        ("region", {"region": "999999"}),
        ("name", {"name": " "}),
    ],
)
def test_invalid_org_fields_are_named(hub, field, values):
    args = {"code": "ok-code", "name": "学校", "kind": "school", "region": "640104", **values}
    with pytest.raises(ValidationFailed) as caught:
        hub.accounts.create_org(SYSTEM, **args)
    assert caught.value.errors[0]["field"] == field


def test_duplicate_org_code_conflicts(tree):
    with pytest.raises(Conflict):
        make_org(tree, "xq-1")


def test_unknown_parent_says_how_to_find_codes(hub):
    with pytest.raises(NotFound, match="eduhub orgs list"):
        make_org(hub, "x-1", parent="nowhere")


def test_org_admin_creates_orgs_only_under_their_own(tree):
    boss = make_user(tree, "boss@xq.cn", org="nx-yc-xq", role="org_admin")
    tree.accounts.create_org(boss, code="xq-3", name="兴庆三小", parent="nx-yc-xq")
    with pytest.raises(Forbidden):
        tree.accounts.create_org(boss, code="yc-other", name="别处", kind="county", parent="nx-yc")
    with pytest.raises(Forbidden):
        tree.accounts.create_org(boss, code="top", name="顶层", kind="alliance")


def test_anonymous_cannot_create_orgs(tree):
    with pytest.raises(Unauthenticated):
        tree.accounts.create_org(ANONYMOUS, code="xq-3", name="兴庆三小", parent="nx-yc-xq")


# -- users and memberships -------------------------------------------------------------------------


def test_create_user_stores_an_argon2_hash_and_the_membership(tree):
    user = tree.accounts.create_user(
        SYSTEM,
        email=" Li@XQ1.cn ",
        password=PASSWORD,
        name="李老师",
        org="xq-1",
        role="contributor",
    )
    assert user["email"] == "li@xq1.cn"
    assert user["memberships"] == [{"org": "xq-1", "org_name": "机构 xq-1", "role": "contributor"}]
    with tree.db.session() as session:
        assert session.scalar(select(User.password_hash)).startswith("$argon2id$")
    assert actions(tree)[-2:] == ["user.create", "membership.add"]


def test_principal_has_one_role_per_membership(tree):
    make_user(tree, "li@xq1.cn", org="xq-1", role="contributor")
    tree.accounts.add_membership(SYSTEM, email="li@xq1.cn", org="nx-yc-xq", role="reviewer")
    principal = tree.accounts.principal_for_email("li@xq1.cn")
    county = tree.accounts.get_org("nx-yc-xq")
    assert {(r.role, r.org_path, r.region) for r in principal.roles} == {
        ("contributor", tree.accounts.get_org("xq-1")["path"], "640104"),
        ("reviewer", county["path"], "640104"),
    }
    assert principal.has_role_over(tree.accounts.get_org("xq-2")["path"], "reviewer")


def test_duplicate_email_and_membership_conflict(tree):
    make_user(tree, "li@xq1.cn", org="xq-1")
    with pytest.raises(Conflict):
        make_user(tree, "LI@xq1.cn")
    with pytest.raises(Conflict):
        tree.accounts.add_membership(SYSTEM, email="li@xq1.cn", org="xq-1", role="teacher")


def test_short_password_is_refused(hub):
    with pytest.raises(ValidationFailed) as caught:
        hub.accounts.create_user(SYSTEM, email="a@b.cn", password="1234567")
    assert caught.value.errors[0]["field"] == "password"


def test_role_without_org_is_refused(hub):
    with pytest.raises(ValidationFailed):
        hub.accounts.create_user(SYSTEM, email="a@b.cn", password=PASSWORD, role="teacher")


def test_org_admin_manages_users_in_their_subtree_only(tree):
    boss = make_user(tree, "boss@xq.cn", org="nx-yc-xq", role="org_admin")
    tree.accounts.create_user(boss, email="t@xq1.cn", password=PASSWORD, org="xq-1", role="teacher")
    with pytest.raises(Forbidden):
        tree.accounts.create_user(
            boss, email="t@nx.cn", password=PASSWORD, org="nx", role="teacher"
        )
    with pytest.raises(Forbidden):
        tree.accounts.create_user(boss, email="free@x.cn", password=PASSWORD)
    with pytest.raises(Forbidden):
        tree.accounts.create_user(
            boss, email="adm@x.cn", password=PASSWORD, is_admin=True, org="xq-1"
        )


def test_teachers_cannot_create_users(tree):
    teacher = make_user(tree, "t@xq1.cn", org="xq-1", role="teacher")
    with pytest.raises(Forbidden):
        tree.accounts.create_user(
            teacher, email="x@xq1.cn", password=PASSWORD, org="xq-1", role="teacher"
        )


def test_list_users_is_limited_to_what_the_actor_manages(tree):
    boss = make_user(tree, "boss@xq.cn", org="nx-yc-xq", role="org_admin")
    make_user(tree, "t1@xq1.cn", org="xq-1")
    make_user(tree, "t2@xq2.cn", org="xq-2")
    make_user(tree, "other@nx.cn", org="nx")
    assert [u["email"] for u in tree.accounts.list_users(boss)] == [
        "boss@xq.cn",
        "t1@xq1.cn",
        "t2@xq2.cn",
    ]
    assert [u["email"] for u in tree.accounts.list_users(boss, org="xq-2")] == ["t2@xq2.cn"]
    assert len(tree.accounts.list_users(SYSTEM)) == 4
    with pytest.raises(Forbidden):
        tree.accounts.list_users(boss, org="nx")
    with pytest.raises(Forbidden):
        tree.accounts.list_users(tree.accounts.principal_for_email("t1@xq1.cn"))


# -- password log-in -------------------------------------------------------------------------------


def test_login_returns_the_principal_and_is_audited(tree):
    make_user(tree, "li@xq1.cn", org="xq-1")
    principal = tree.accounts.authenticate_password("LI@xq1.cn", PASSWORD, ip="10.0.0.1")
    assert principal.email == "li@xq1.cn" and principal.ip == "10.0.0.1" and principal.roles
    with tree.db.session() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.actor, entry.ip) == ("user.login", "li@xq1.cn", "10.0.0.1")


def test_wrong_password_and_unknown_email_fail_alike(hub):
    make_user(hub, "li@xq1.cn")
    messages = []
    for email, password in [("li@xq1.cn", "wrong password"), ("nobody@xq1.cn", PASSWORD)]:
        with pytest.raises(Unauthenticated) as caught:
            hub.accounts.authenticate_password(email, password)
        messages.append(caught.value.message)
    assert messages[0] == messages[1]
    assert actions(hub)[-2:] == ["user.login_failed", "user.login_failed"]


def test_inactive_users_cannot_log_in(hub):
    make_user(hub, "li@xq1.cn")
    with hub.db.session() as session:
        session.execute(update(User).values(is_active=False))
        session.commit()
    with pytest.raises(Unauthenticated):
        hub.accounts.authenticate_password("li@xq1.cn", PASSWORD)


def test_repeated_failures_are_throttled(hub):
    make_user(hub, "li@xq1.cn")
    for _ in range(hub.accounts.throttle.account_limits[0].amount):
        with pytest.raises(Unauthenticated):
            hub.accounts.authenticate_password("li@xq1.cn", "wrong password")
    with pytest.raises(TooManyRequests):
        hub.accounts.authenticate_password("li@xq1.cn", PASSWORD)


# -- tokens ----------------------------------------------------------------------------------------


def test_token_resolves_to_its_user_and_only_the_hash_is_stored(tree):
    make_user(tree, "li@xq1.cn", org="xq-1", role="contributor")
    token, info = tree.accounts.create_token(
        SYSTEM, email="li@xq1.cn", name="script", expires_days=30
    )
    assert info["prefix"] == token[:8] and info["user"] == "li@xq1.cn"
    with tree.db.session() as session:
        row = session.scalar(select(ApiToken))
        assert token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    principal = tree.accounts.principal_for_token(token, ip="10.0.0.2")
    assert principal.email == "li@xq1.cn" and principal.roles[0].role == "contributor"


def test_last_used_is_recorded_but_not_on_every_request(hub):
    make_user(hub, "li@xq1.cn")
    token = make_token(hub, "li@xq1.cn")
    hub.accounts.principal_for_token(token)
    with hub.db.session() as session:
        first = session.scalar(select(ApiToken.last_used))
    hub.accounts.principal_for_token(token)
    with hub.db.session() as session:
        assert first is not None and session.scalar(select(ApiToken.last_used)) == first


def test_users_create_their_own_tokens_only(hub):
    li = make_user(hub, "li@xq1.cn")
    make_user(hub, "wang@xq1.cn")
    token, info = hub.accounts.create_token(li, name="mine")
    assert info["user"] == "li@xq1.cn"
    with pytest.raises(Forbidden):
        hub.accounts.create_token(li, email="wang@xq1.cn")
    with pytest.raises(Unauthenticated):
        hub.accounts.create_token(ANONYMOUS)


def test_list_tokens_shows_mine_without_the_secret(hub):
    li = make_user(hub, "li@xq1.cn")
    make_user(hub, "wang@xq1.cn")
    make_token(hub, "li@xq1.cn", name="a")
    make_token(hub, "wang@xq1.cn", name="b")
    listed = hub.accounts.list_tokens(li)
    assert [t["name"] for t in listed] == ["a"] and "token" not in listed[0]


def test_revoked_tokens_stop_working(hub):
    li = make_user(hub, "li@xq1.cn")
    token, info = hub.accounts.create_token(li)
    hub.accounts.revoke_token(li, info["id"])
    hub.accounts.revoke_token(li, info["id"])  # twice is harmless
    with pytest.raises(Unauthenticated, match="revoked"):
        hub.accounts.principal_for_token(token)
    assert actions(hub).count("token.revoke") == 1


def test_others_tokens_cannot_be_revoked_and_look_missing(hub):
    make_user(hub, "li@xq1.cn")
    wang = make_user(hub, "wang@xq1.cn")
    _, info = hub.accounts.create_token(SYSTEM, email="li@xq1.cn")
    with pytest.raises(NotFound):
        hub.accounts.revoke_token(wang, info["id"])


def test_expired_tokens_stop_working(hub):
    make_user(hub, "li@xq1.cn")
    token = make_token(hub, "li@xq1.cn", expires_days=1)
    with hub.db.session() as session:
        session.execute(update(ApiToken).values(expires=utcnow() - timedelta(seconds=1)))
        session.commit()
    with pytest.raises(Unauthenticated, match="expired"):
        hub.accounts.principal_for_token(token)


@pytest.mark.parametrize("token", ["", "garbage", "ehk_" + "A" * 43])
def test_unknown_tokens_are_refused(hub, token):
    with pytest.raises(Unauthenticated):
        hub.accounts.principal_for_token(token)


def test_expiry_must_be_a_sensible_number_of_days(hub):
    make_user(hub, "li@xq1.cn")
    with pytest.raises(ValidationFailed):
        hub.accounts.create_token(SYSTEM, email="li@xq1.cn", expires_days=0)


def test_principal_for_user_id_ignores_unknown_ids(hub):
    li = make_user(hub, "li@xq1.cn")
    assert hub.accounts.principal_for_user_id(li.user_id).email == "li@xq1.cn"
    assert hub.accounts.principal_for_user_id(9999) is None


def test_failures_from_one_address_are_throttled_across_emails(hub):
    hub.accounts.throttle = LoginThrottle(address="3/minute")
    for n in range(3):
        with pytest.raises(Unauthenticated):
            hub.accounts.authenticate_password(f"guess{n}@xq1.cn", "wrong password", ip="10.9.9.9")
    with pytest.raises(TooManyRequests):
        hub.accounts.authenticate_password("other@xq1.cn", "wrong password", ip="10.9.9.9")
    with pytest.raises(Unauthenticated):  # another address is not affected
        hub.accounts.authenticate_password("other@xq1.cn", "wrong password", ip="10.9.9.8")
