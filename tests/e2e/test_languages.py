"""A visitor switches the pages to English with the link in the header, and back to Chinese, without
losing the page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse


def test_the_header_switch_turns_the_page_english_and_back(live_hub, page, artifacts):
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )

    page.goto(live_hub.url + "/?q=黄河文化&subject=geography")
    assert page.locator("html").get_attribute("lang") == "zh-CN"  # a Chinese browser gets Chinese
    assert page.get_by_role("button", name="搜索").is_visible()

    page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
    page.wait_for_url("**/?q=*")
    assert parse_qs(urlparse(page.url).query) == {
        "q": ["黄河文化"],
        "subject": ["geography"],
    }  # the same search
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Search", exact=True).is_visible()
    assert page.locator(
        "a.chip", has_text="Geography"
    ).is_visible()  # vocabulary labels in English too
    assert page.get_by_text("Senior secondary school").first.is_visible()
    page.screenshot(path=str(artifacts / "languages-english.png"), full_page=True)

    page.locator("li.hit").first.get_by_role("link").click()
    page.wait_for_url("**/r/*")
    assert page.get_by_role(
        "link", name="Download"
    ).first.is_visible()  # the choice sticks from page to page

    page.get_by_role("navigation", name="Language").get_by_role("link", name="中文").click()
    page.wait_for_url("**/r/*")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("link", name="下载").first.is_visible()
    assert errors == []
