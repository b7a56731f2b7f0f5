"""Offline bundles in the real browser: a teacher sees a search's size, builds it, downloads it."""

from __future__ import annotations

import zipfile

import pytest

from hub.bundles import signing
from hub.bundles.archive import BundleArchive
from tests.e2e.conftest import live_hub as live_hub_fixture
from tests.e2e.test_accessibility import _violations, axe_js  # noqa: F401 (a fixture)
from tests.factories import PASSWORD, make_user
from tests.support.bundles import fill, make_hub

ADMIN = "bundle-admin@example.cn"


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory):
    """A hub of its own: the bundle imported here would change other tests' search results."""
    yield from live_hub_fixture.__wrapped__(tmp_path_factory)


def _log_in(page, base: str, email: str, then: str) -> None:
    page.goto(f"{base}/login?next={then}")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _work_until(page, hub, selector: str) -> None:
    """Be the worker (the live hub has none) while the page polls, until `selector` shows."""
    for _ in range(200):
        hub.outbox.process()
        if page.locator(selector).count():
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{selector} never appeared")


def test_a_teacher_sees_the_size_builds_and_downloads_a_verified_bundle(
    live_hub, page, artifacts, tmp_path
):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    hub = live_hub.app.extensions["eduhub"]
    _log_in(page, live_hub.url, "t@example.cn", "/%3Fq%3D黄河文化")
    page.wait_for_url("**/?q=*")

    size = page.locator("#bundle-size")
    size.filter(has_text="个资源").wait_for()
    assert size.inner_text().startswith("2 个资源，2 个文件")
    page.screenshot(path=str(artifacts / "bundle-search.png"), full_page=True)

    page.get_by_role("button", name="下载离线包").click()
    _work_until(page, hub, "#bundle-download")
    with page.expect_download() as info:
        page.locator("#bundle-download").click()
    saved = tmp_path / "bundle.zip"
    info.value.save_as(saved)

    own_key = signing.own_public_key(hub.config.data_dir)
    with BundleArchive(saved) as bundle:
        manifest = bundle.manifest({own_key}, allow_unsigned=False)
        assert bundle.signed_by == own_key
    assert {r["title"] for r in manifest["records"]} == {
        "黄河文化与宁夏平原的形成",
        "黄河文化：从贺兰山岩画到西夏陵",
    }
    with zipfile.ZipFile(saved) as archive:
        assert "index.html" in archive.namelist()

    page.goto(live_hub.url + "/mine")
    assert page.locator("#bundles ~ table a[download]").count() >= 1
    assert errors == []


@pytest.fixture(scope="module")
def other_hub_bundle(tmp_path_factory):
    """A bundle of five resources exported by another hub, with that hub's public key."""
    root = tmp_path_factory.mktemp("other-hub")
    other = make_hub(root / "var", public_url="https://res.gy.example.cn", hub_name="固原教育云")
    fill(other, root, count=5)
    other.bundle_exporter.export(root / "guyuan.zip")
    key = signing.public_key_text(signing.hub_private_key(other.config.data_dir).public_key())
    other.close()
    return root / "guyuan.zip", key


@pytest.fixture(scope="module")
def admin(live_hub):
    make_user(live_hub.app.extensions["eduhub"], email=ADMIN, admin=True, org=None, role=None)
    return ADMIN


def test_an_admin_uploads_another_hubs_bundle_and_reads_the_report(
    live_hub, page, admin, other_hub_bundle, artifacts
):
    path, key = other_hub_bundle
    hub = live_hub.app.extensions["eduhub"]
    _log_in(page, live_hub.url, admin, "/admin/bundles")
    page.wait_for_url("**/admin/bundles")
    page.get_by_label("平台名称").fill("固原教育云")
    page.get_by_label("公钥（base64 或 PEM）").fill(key)
    page.get_by_role("button", name="信任此公钥").click()
    page.locator("code", has_text=key).wait_for()

    page.get_by_label("离线包文件（.zip）").set_input_files(str(path))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/admin/bundles?*import=*")
    while hub.outbox.process():  # the worker
        pass
    page.reload()
    report = page.locator("#import-report")
    assert "新增 5" in report.inner_text() and "未变 0" in report.inner_text()
    page.screenshot(path=str(artifacts / "admin-bundles.png"), full_page=True)


@pytest.fixture
def axe_page(browser):
    """The hub's CSP rightly refuses injected scripts; only this checker's context may bypass it."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


def test_the_bundle_pages_pass_axe(live_hub, axe_page, axe_js, admin):  # noqa: F811
    hub = live_hub.app.extensions["eduhub"]
    page, found = axe_page, {}
    _log_in(page, live_hub.url, admin, "/mine")
    page.wait_for_url("**/mine")
    page.goto(live_hub.url + "/bundles/new?q=黄河文化")
    found["bundle-new"] = _violations(page, axe_js)
    page.get_by_role("button", name="制作离线包").click()
    page.wait_for_url("**/bundles/*")
    found["bundle-queued"] = _violations(page, axe_js)
    while hub.outbox.process():
        pass
    page.reload()
    found["bundle-ready"] = _violations(page, axe_js)
    for name, path in [
        ("search-signed-in", "/?q=黄河文化"),
        ("mine-bundles", "/mine"),
        ("admin-bundles", "/admin/bundles"),
    ]:
        page.goto(live_hub.url + path)
        found[name] = _violations(page, axe_js)
    assert found == {name: [] for name in found}
