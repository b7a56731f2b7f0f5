"""Demo accounts: generated passwords printed once, a banner on /admin until changed (issue 9)."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.db.models import User
from hub.demo import USERS, seed_demo
from hub.security.principal import SYSTEM
from tests.factories import make_user

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def seeded(hub):
    return seed_demo(hub, limit=1)


def sign_in(client, hub, email):
    with hub.db.session() as session:
        uid = session.scalar(select(User.id).where(User.email == email))
    with client.session_transaction() as session:
        session["uid"] = uid


def banner(client):
    page = client.get("/admin", headers={"Accept-Language": "en"}).get_data(as_text=True)
    found = re.search(r'<p class="alert" role="alert" id="demo-passwords">(.*?)</p>', page, re.S)
    return found.group(1) if found else None


def test_seeded_passwords_are_random_and_work(client, seeded):
    passwords = [u.password for u in seeded.users]
    assert len(set(passwords)) == len(USERS) and all(len(p) >= 12 for p in passwords)
    admin = next(u for u in seeded.users if u.is_admin)
    body = {"email": admin.email, "password": admin.password}
    assert client.post("/api/v1/tokens", json=body).status_code == 201
    assert not any(p in README for p in passwords)


def test_the_readme_prints_no_demo_password():
    assert "eduhub-admin-2024" not in README and "-2024`" not in README


def test_admin_banner_until_every_demo_password_is_changed(client, hub, seeded):
    sign_in(client, hub, "admin@example.edu.cn")
    assert "admin@example.edu.cn" in banner(client)
    for user in USERS:
        hub.accounts.set_password(SYSTEM, email=user.email, password="changed for real now")
        assert user.email not in (banner(client) or "")
    assert banner(client) is None


def test_no_banner_without_demo_accounts(client, hub):
    make_user(hub, "root@nx.cn", admin=True)
    sign_in(client, hub, "root@nx.cn")
    assert client.get("/admin").status_code == 200 and banner(client) is None


def test_people_page_disables_and_sets_passwords(client, hub, seeded):
    sign_in(client, hub, "admin@example.edu.cn")
    with hub.db.session() as session:
        teacher = session.scalar(select(User).where(User.email == "teacher@example.edu.cn"))
    page = client.get("/admin/people").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = client.post(f"/admin/people/{teacher.id}/disable", data={"csrf_token": token})
    assert done.status_code == 302
    teacher_password = next(u.password for u in seeded.users if u.email == teacher.email)
    body = {"email": teacher.email, "password": teacher_password}
    outsider = client.application.test_client()  # no admin cookie: the teacher logs in herself
    assert outsider.post("/api/v1/tokens", json=body).status_code == 401
    client.post(f"/admin/people/{teacher.id}/enable", data={"csrf_token": token})
    form = {"csrf_token": token, "password": "a new one for her"}
    assert client.post(f"/admin/people/{teacher.id}/password", data=form).status_code == 302
    body["password"] = "a new one for her"
    assert outsider.post("/api/v1/tokens", json=body).status_code == 201
    short = client.post(f"/admin/people/{teacher.id}/password", data={**form, "password": "x"})
    assert short.status_code == 422
    no_csrf = client.post(f"/admin/people/{teacher.id}/disable")
    assert no_csrf.status_code in (400, 403)
