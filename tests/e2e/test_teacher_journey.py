"""A teacher in a real browser: searches in Chinese, narrows by a facet, opens a resource, downloads
its file."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse


def test_teacher_finds_narrows_opens_and_downloads(live_hub, page, artifacts, tmp_path):
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )

    page.goto(live_hub.url + "/")
    page.get_by_label("搜索资源").fill("黄河文化")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/?q=*")
    hits = page.locator("li.hit")
    assert hits.count() >= 2, "both Yellow River lessons should be found"
    assert page.locator("li.hit mark").first.is_visible()
    page.screenshot(path=str(artifacts / "teacher-search.png"), full_page=True)

    page.locator('a[data-facet="subject"]', has_text="地理").click()
    page.wait_for_url("**subject=geography*")
    query = parse_qs(urlparse(page.url).query)
    assert query == {
        "q": ["黄河文化"],
        "subject": ["geography"],
    }  # the whole search lives in the URL
    assert hits.count() == 1
    assert page.locator("a.chip", has_text="地理").is_visible()

    hits.first.get_by_role("link").click()
    page.wait_for_url("**/r/*")
    record = next(r for r in live_hub.records if page.url.endswith(r["id"]))
    assert page.get_by_role("heading", level=1).inner_text() == record["title"]
    assert page.get_by_text("高一").first.is_visible()  # grade in plain Chinese, not the code g10
    page.screenshot(path=str(artifacts / "teacher-resource.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="下载").first.click()
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert download.suggested_filename == record["files"][0]["name"]
    assert saved.read_bytes() == live_hub.files[record["id"]]
    page.set_viewport_size({"width": 390, "height": 844})  # the same page on a phone
    page.screenshot(path=str(artifacts / "teacher-resource-phone.png"), full_page=True)
    assert errors == []  # no CSP violations or script errors on the way
