"""/admin/register: an administrator uploads a register, checks it (nothing changes), imports it;
a user list's links are shown once; non-administrators are refused before the body is read.
/set-password/<token>: CSRF-protected, policy enforced, dead after use."""

from __future__ import annotations

import io
import re

import pytest

from hub.security.principal import SYSTEM
from tests.factories import make_user
from tests.integration.web.test_admin_pages import csrf_from, log_in

REGISTER = "代码,名称,类型,上级代码,行政区划\nnx,宁夏,省,,640000\nxq,兴庆区,区县,nx,640104\n"


@pytest.fixture
def admin_client(hub, client):
    make_user(hub, email="admin@example.cn", admin=True, org=None, role=None)
    return client, log_in(client, "admin@example.cn")


def _post(client, token, what, text, action, **extra):
    data = {"csrf_token": token, "what": what, "action": action, **extra}
    data["file"] = (io.BytesIO(text.encode("gb18030")), "名册.csv")
    return client.post("/admin/register", data=data, content_type="multipart/form-data")


def test_check_changes_nothing_then_import_writes_the_register(hub, admin_client):
    client, token = admin_client
    checked = _post(client, token, "orgs", REGISTER, "check")
    assert checked.status_code == 200 and "尚未做任何修改" in checked.get_data(as_text=True)
    assert hub.accounts.list_orgs() == []
    imported = _post(client, token, "orgs", REGISTER, "apply")
    assert "已导入" in imported.get_data(as_text=True)
    assert [o["code"] for o in hub.accounts.list_orgs()] == ["nx", "xq"]


def test_failed_rows_are_listed_with_their_lines(hub, admin_client):
    client, token = admin_client
    page = _post(client, token, "orgs", REGISTER + "s1,学校,学校,nowhere,\n", "apply")
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "<td>4</td>" in html and "nowhere" in html
    assert hub.accounts.list_orgs() == []


def test_user_list_import_shows_each_link_once(hub, admin_client):
    client, token = admin_client
    _post(client, token, "orgs", REGISTER, "apply")
    page = _post(client, token, "users", "email,org\nnew@example.cn,xq\n", "apply")
    html = page.get_data(as_text=True)
    [link] = re.findall(r"/set-password/[\w-]+", html)
    assert page.headers["Cache-Control"] == "no-store"
    form = client.get(link)
    assert "new@example.cn" in form.get_data(as_text=True)
    csrf = csrf_from(form.get_data(as_text=True))
    no_csrf = client.post(link, data={"password": "long enough 1", "confirm": "long enough 1"})
    assert no_csrf.status_code == 403
    short = client.post(link, data={"csrf_token": csrf, "password": "short", "confirm": "short"})
    assert short.status_code == 422 and "8" in short.get_data(as_text=True)
    good = {"csrf_token": csrf, "password": "long enough 1", "confirm": "long enough 1"}
    assert "密码已设置" in client.post(link, data=good).get_data(as_text=True)
    assert client.post(link, data=good).status_code == 410
    assert hub.accounts.authenticate_password("new@example.cn", "long enough 1").email


def test_a_non_administrator_is_refused(hub, client):
    hub.register.import_file(SYSTEM, REGISTER.encode(), "r.csv")
    make_user(hub, email="t@example.cn", org="xq", role="org_admin")
    token = log_in(client, "t@example.cn")
    assert client.get("/admin/register").status_code == 403
    assert _post(client, token, "orgs", REGISTER, "apply").status_code == 403
