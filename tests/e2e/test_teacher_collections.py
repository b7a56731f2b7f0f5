"""A teacher in a real browser keeps a resource, builds a lesson collection of three in order,
shares it with the school (a colleague sees it, another county's teacher does not) and downloads
it as one signed bundle; the new pages pass axe."""

from __future__ import annotations

import pytest

from tests.e2e.test_accessibility import _violations, axe_js  # noqa: F401  (a fixture)
from tests.factories import PASSWORD, make_user
from tests.support.teacher import bundle_records

TEACHER, COLLEAGUE = "e2e-teacher@example.cn", "e2e-colleague@example.cn"


@pytest.fixture(scope="module")
def people(live_hub):
    hub = live_hub.app.extensions["eduhub"]
    for email in (TEACHER, COLLEAGUE):
        make_user(hub, email=email, org="xq-school-1", role="teacher")
    return hub


@pytest.fixture
def page(browser):
    # axe is injected into the page: only this checker's context may bypass the hub's CSP.
    context = browser.new_context(
        accept_downloads=True,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
    )
    yield context.new_page()
    context.close()


def log_in(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login?next=/mine")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/mine")


def add_to_collection(page, base: str, record: dict, title: str | None, note: str) -> None:
    page.goto(f"{base}/r/{record['id']}")
    if title:
        page.get_by_label("加入备课包").select_option(label="新建备课包（在下方命名）")
        page.get_by_label("新备课包的名称").fill(title)
    else:
        page.get_by_label("加入备课包").select_option(label="第一单元 黄河")
    page.get_by_label("本课备注").fill(note)
    page.get_by_role("button", name="加入", exact=True).click()
    page.wait_for_url("**collected=*")


def test_a_teacher_keeps_builds_shares_and_downloads_a_collection(
    live_hub,
    people,
    page,
    axe_js,
    tmp_path,
    artifacts,  # noqa: F811
):
    base, three = live_hub.url, live_hub.records[:3]
    log_in(page, base, TEACHER)
    page.goto(f"{base}/r/{three[0]['id']}")
    page.get_by_role("button", name="收藏").click()
    assert page.get_by_role("button", name="已收藏").get_attribute("aria-pressed") == "true"
    found = {"resource": _violations(page, axe_js)}

    add_to_collection(page, base, three[0], "第一单元 黄河", "第1课时 导入")
    for n, record in enumerate(three[1:], start=2):
        add_to_collection(page, base, record, None, f"第{n}课时")
    page.get_by_role("link", name="打开").click()
    titles = page.locator("ol.collection-items h2").all_inner_texts()
    assert titles == [r["title"] for r in three]
    page.get_by_label("谁可以通过链接打开").select_option(label="本单位的同事")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/c/*")
    found["collection"] = _violations(page, axe_js)
    page.screenshot(path=str(artifacts / "teacher-collection.png"), full_page=True)
    link = page.url

    with page.expect_download() as info:
        page.get_by_role("link", name="下载为离线资源包").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    records = bundle_records(saved.read_bytes(), people)
    assert {r["id"] for r in records} == {r["id"] for r in three}

    page.goto(f"{base}/mine")
    assert page.get_by_role("link", name="第一单元 黄河").is_visible()
    found["mine"] = _violations(page, axe_js)

    log_in(page, base, COLLEAGUE)
    assert page.goto(link).status == 200
    assert page.locator("ol.collection-items h2").all_inner_texts() == titles
    log_in(page, base, "o@example.cn")
    assert page.goto(link).status == 404
    assert found == {name: [] for name in found}
