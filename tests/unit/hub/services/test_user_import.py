"""Users imported without passwords get one-time links: hashed at rest, single use, expiring,
audited; the register service moves subtrees and is for administrators only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from hub.db.base import utcnow
from hub.db.models import AuditEntry, Organisation, PasswordLink, User
from hub.db.models.accounts import ROLES
from hub.errors import Forbidden, Gone, NotFound, Unauthenticated, ValidationFailed
from hub.mail.memory import MemoryMailer
from hub.security.principal import SYSTEM, Principal
from hub.services.accounts_import import RowProblem, parse_user_row
from hub.services.password_links import NO_PASSWORD, token_hash

USERS = "email,name,org,role\nli@example.cn,李老师,nx,contributor\nwang@example.cn,王老师,nx,\n"
REGISTER = (
    "code,name,kind,parent,region\n"
    "nx,宁夏,province,,640000\nyc,银川,city,nx,640100\ngy,固原,city,nx,640400\n"
    "xq,兴庆区,county,yc,640104\nxq-1,示例小学,school,xq,\n"
)


@pytest.fixture
def register(hub):
    report = hub.register.import_file(SYSTEM, REGISTER.encode(), "r.csv")
    assert report.applied and not report.failed
    return hub


def _import(hub, text=USERS, **options):
    return hub.user_imports.import_file(SYSTEM, text.encode(), "u.csv", **options)


def _token(report, email):
    return report.links[email].rsplit("/", 1)[1]


def test_imported_users_cannot_log_in_until_their_link_is_used(register):
    report = _import(register)
    assert [e for _, e in report.created] == ["li@example.cn", "wang@example.cn"]
    with register.db.session() as session:
        hashes = set(session.scalars(select(PasswordLink.token_hash)))
        roles = {(m.org.code, m.role) for u in session.scalars(select(User)) for m in u.memberships}
    for guess in (NO_PASSWORD, "not a real password, only for timing"):
        with pytest.raises(Unauthenticated):
            register.accounts.authenticate_password("li@example.cn", guess)
    token = _token(report, "li@example.cn")
    assert token_hash(token) in hashes and token not in str(hashes)  # only the hash is kept
    assert roles == {("nx", "contributor"), ("nx", "teacher")}
    assert register.password_links.check(token)["email"] == "li@example.cn"
    register.password_links.use(token, "a long new secret")
    principal = register.accounts.authenticate_password("li@example.cn", "a long new secret")
    assert principal.email == "li@example.cn"


def test_a_link_works_once(register):
    token = _token(_import(register), "li@example.cn")
    with pytest.raises(ValidationFailed):
        register.password_links.use(token, "short")  # the policy holds; the link stays alive
    register.password_links.use(token, "a long new secret")
    with pytest.raises(Gone, match="already been used"):
        register.password_links.use(token, "another long secret")
    with pytest.raises(NotFound):
        register.password_links.check(token + "x")


def test_an_expired_link_is_dead_with_a_clear_message(register):
    token = _token(_import(register), "li@example.cn")
    with register.db.session() as session:
        session.execute(update(PasswordLink).values(expires=utcnow() - timedelta(seconds=1)))
        session.commit()
    with pytest.raises(Gone, match="expired"):
        register.password_links.check(token)


def test_a_second_import_changes_nothing_and_a_new_role_updates(register):
    _import(register)
    again = _import(register)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0}
    moved = _import(register, "email,org,role\nli@example.cn,xq-1,reviewer\n")
    assert moved.updated == [(2, "li@example.cn")] and not moved.links


def test_send_mails_each_link_and_reports_what_failed(register):
    register.user_imports.mailer = MemoryMailer("hub@nx.cn")
    report = _import(register, send=True)
    assert sorted(m.to for m in register.user_imports.mailer.sent) == sorted(report.links)
    assert report.links["li@example.cn"] in register.user_imports.mailer.sent[0].body

    class Down(MemoryMailer):
        def send(self, message):
            raise ConnectionRefusedError("connection refused")

    register.user_imports.mailer = Down("hub@nx.cn")
    report = _import(register, "email,org\nzhao@example.cn,nx\n", send=True)
    assert report.applied and report.unsent == [("zhao@example.cn", "connection refused")]


def test_imports_and_link_use_are_audited(register):
    token = _token(_import(register), "li@example.cn")
    register.password_links.use(token, "a long new secret", ip="10.0.0.9")
    with register.db.session() as session:
        actions = [(a.action, a.ip) for a in session.scalars(select(AuditEntry))]
    assert ("org.import", None) in actions and ("user.import", None) in actions
    assert ("user.password_link", "10.0.0.9") in actions


def test_only_administrators_import(register):
    someone = Principal(user_id=99, email="x@example.cn")
    with pytest.raises(Forbidden):
        register.register.import_file(someone, REGISTER.encode(), "r.csv")
    with pytest.raises(Forbidden):
        register.user_imports.import_file(someone, USERS.encode(), "u.csv")


def test_moving_a_county_to_another_city_moves_its_schools_paths(register):
    moved = REGISTER.replace("xq,兴庆区,county,yc,640104", "xq,兴庆区,county,gy,640104")
    report = register.register.import_file(SYSTEM, moved.encode(), "r.csv")
    assert report.updated == [(5, "xq")]
    with register.db.session() as session:
        orgs = {o.code: o for o in session.scalars(select(Organisation))}
        assert orgs["xq-1"].path.startswith(orgs["gy"].path)
        assert orgs["xq-1"].region == "640104"


def test_a_disabled_accounts_link_is_dead(register):
    token = _token(_import(register), "li@example.cn")
    register.accounts.set_active(SYSTEM, False, email="li@example.cn")
    with pytest.raises(Gone, match="disabled"):
        register.password_links.use(token, "a long new secret")


@given(st.dictionaries(st.sampled_from(["email", "name", "org", "role"]), st.text(max_size=40)))
def test_any_user_row_parses_or_says_what_is_wrong_in_both_languages(values):
    try:
        row = parse_user_row(values, {"nx", "xq-1"})
    except RowProblem as exc:
        assert "。" in str(exc) and any(c.isascii() and c.isalpha() for c in str(exc))
    else:
        assert row.org in {"nx", "xq-1"} and row.role in ROLES and "@" in row.email
