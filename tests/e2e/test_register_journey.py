"""A teacher imported with `users import` opens the one-time link in Chromium, sets a password that
passes the policy, logs in with it, and finds the link dead afterwards; the page passes axe."""

from __future__ import annotations

from urllib.parse import urlsplit

from hub.security.principal import SYSTEM
from tests.e2e.test_accessibility import _violations, axe_js, page  # noqa: F401  (fixtures)

USERS = "邮箱,姓名,机构代码,角色\nnew-teacher@example.cn,马老师,xq-school-2,教师\n"
PASSWORD = "黄河之水天上来 2026"


def _link_path(live_hub) -> str:
    hub = live_hub.app.extensions["eduhub"]
    report = hub.user_imports.import_file(SYSTEM, USERS.encode("gb18030"), "users.csv")
    assert report.applied, report.failed
    return urlsplit(report.links["new-teacher@example.cn"]).path


def test_imported_user_sets_a_password_once_through_the_link(live_hub, page, axe_js, artifacts):
    path = _link_path(live_hub)
    page.goto(live_hub.url + path)
    assert "new-teacher@example.cn" in page.content()
    assert _violations(page, axe_js) == []
    page.get_by_label("新密码（至少 8 个字符）").fill(PASSWORD)
    page.get_by_label("再次输入新密码").fill(PASSWORD + "x")
    page.get_by_role("button", name="设置密码").click()
    assert "两次输入的密码不一致" in page.get_by_role("alert").inner_text()
    page.get_by_label("新密码（至少 8 个字符）").fill(PASSWORD)
    page.get_by_label("再次输入新密码").fill(PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    assert "密码已设置" in page.get_by_role("status").inner_text()
    page.screenshot(path=str(artifacts / "set-password-done.png"), full_page=True)

    page.get_by_role("link", name="登录").last.click()
    page.get_by_label("邮箱").fill("new-teacher@example.cn")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.get_by_role("link", name="我的资源").is_visible()  # signed in

    response = page.goto(live_hub.url + path)
    assert response.status == 410
    assert "这个链接已经用过" in page.content() and "already been used" in page.content()
