"""Offline bundles in the real browser: a teacher sees a search's size, builds it, downloads it."""

from __future__ import annotations

import zipfile

from hub.bundles import signing
from hub.bundles.archive import BundleArchive
from tests.factories import PASSWORD


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
