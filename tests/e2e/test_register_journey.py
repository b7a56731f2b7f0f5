"""A teacher imported with `users import` opens the one-time link in Chromium, sets a password that
passes the policy, logs in with it, and finds the link dead afterwards; the page passes axe."""

from __future__ import annotations

from urllib.parse import urlsplit

from hub.security.principal import SYSTEM
from tests.e2e.test_accessibility import _violations, axe_js, page  # noqa: F401  (fixtures)
from tests.factories import PASSWORD as ADMIN_PASSWORD
from tests.factories import make_user

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


def test_admin_checks_then_imports_a_register_in_the_browser(live_hub, page, axe_js, tmp_path):
    hub = live_hub.app.extensions["eduhub"]
    make_user(hub, email="register-admin@example.cn", admin=True, org=None, role=None)
    register = tmp_path / "名册.csv"
    register.write_bytes(
        "代码,名称,类型,上级代码\nxq-e2e-1,兴庆区示例小学（示例）,学校,xq\n".encode("gb18030")
    )
    page.goto(f"{live_hub.url}/login?next=/admin/register")
    page.get_by_label("邮箱").fill("register-admin@example.cn")
    page.get_by_label("密码").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/register")
    assert _violations(page, axe_js) == []
    page.locator("#file-orgs").set_input_files(str(register))
    page.locator("form:has(#file-orgs)").get_by_role("button", name="检查").click()
    assert page.get_by_role("status").inner_text().startswith("新增 1")
    assert "尚未做任何修改" in page.content()
    assert _violations(page, axe_js) == []
    page.locator("#file-orgs").set_input_files(str(register))
    page.locator("form:has(#file-orgs)").get_by_role("button", name="导入").click()
    assert "已导入" in page.content()
    assert hub.accounts.get_org("xq-e2e-1")["name"] == "兴庆区示例小学（示例）"
