"""Pages speak Chinese by default, English when the browser asks or the switch says so; the switch
goes back."""

from __future__ import annotations

import re

# The read-only hub of test_pages, shared rather than built twice.
from tests.integration.web.test_pages import client, log_in, site, world  # noqa: F401,F811

EN = {"Accept-Language": "en-US,en;q=0.9"}


def test_the_default_page_is_chinese(client, world):
    page = client.get("/?q=有理数").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "搜索资源" in page and "Search resources" not in page
    assert '<span class="en">' not in page  # one language at a time, not both side by side


def test_an_english_browser_gets_english(client, world):
    response = client.get("/?q=有理数", headers=EN)
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Search resources" in page and "搜索资源" not in page
    assert "Accept-Language" in response.headers["Vary"]


def test_vocabulary_labels_follow_the_language(client, world):
    zh = client.get("/?q=有理数").get_data(as_text=True)
    en = client.get("/?q=有理数", headers=EN).get_data(as_text=True)
    assert re.search(r'data-facet="stage">初中</a>', zh)
    assert re.search(r'data-facet="stage">Junior secondary school</a>', en)
    assert "<summary>School stages</summary>" in en and "<summary>学段</summary>" in zh
    resource = client.get(f"/r/{world.public['id']}", headers=EN).get_data(as_text=True)
    assert "<dt>Grades</dt><dd>Grade 7</dd>" in resource and "<dd>七年级</dd>" not in resource


def test_the_switch_sets_the_cookie_beats_the_browser_and_goes_back(client, world):
    response = client.get(
        "/lang/en", query_string={"next": "/?q=有理数"}, headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 302 and response.location == "/?q=%E6%9C%89%E7%90%86%E6%95%B0"
    assert (
        "lang=en" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    )
    page = client.get("/?q=有理数", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Search resources" in page
    client.get("/lang/zh?next=/")
    assert '<html lang="zh-CN">' in client.get("/", headers=EN).get_data(as_text=True)


def test_the_switch_is_a_plain_link_in_the_header_back_to_the_same_page(client, world):
    page = client.get("/?q=a%26b&stage=junior").get_data(as_text=True)
    links = re.findall(r'<a href="(/lang/(?:zh|en)\?next=[^"]*)"', page)
    assert [link[:8] for link in links] == ["/lang/zh", "/lang/en"]
    response = client.get(links[1].replace("&amp;", "&"))
    assert (
        response.location == "/?q=a%26b&stage=junior"
    )  # the same search, "&" in the words and all


def test_the_switch_never_redirects_off_site(client, world):
    for target in (
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "",
        "javascript:alert(1)",
    ):
        response = client.get("/lang/en", query_string={"next": target})
        assert response.status_code == 302 and response.location == "/", target


def test_an_unknown_language_is_not_found(client, world):
    response = client.get("/lang/fr?next=/")
    assert response.status_code == 404 and "Set-Cookie" not in response.headers


def test_messages_from_the_views_follow_the_language(client, world):
    response = client.post("/login", data={"email": "c@example.cn", "password": "x"}, headers=EN)
    assert response.status_code == 403 and "The form has expired" in response.get_data(as_text=True)
    response = client.post("/login", data={"email": "c@example.cn", "password": "x"})
    assert "表单已过期" in response.get_data(as_text=True)


def test_upload_progress_texts_reach_the_script_in_the_pages_language(client, world, site):
    hub = site[0].extensions["eduhub"]
    draft = hub.resources.create(world.contributor, {"title": "语言测试草稿", "stage": "junior"})
    log_in(client, "c@example.cn")
    zh = client.get(f"/upload/{draft['id']}").get_data(as_text=True)
    en = client.get(f"/upload/{draft['id']}", headers=EN).get_data(as_text=True)
    assert 'data-msg-done="完成"' in zh and 'data-msg-network="网络错误"' in zh
    assert 'data-msg-done="Done"' in en and 'data-msg-retrying="Connection lost, retrying…"' in en


def _no_hits(monkeypatch, site, **extra):
    """The search service answers nothing found, plus whatever `extra` says (e.g. its
    did_you_mean)."""
    service = site[0].extensions["eduhub"].search
    result = {"hits": [], "total": 0, "aggregations": {}, **extra}
    monkeypatch.setattr(service, "search", lambda *args, **kwargs: result)


def test_empty_search_offers_the_corrected_query_keeping_the_filters(client, site, monkeypatch):
    _no_hits(monkeypatch, site, did_you_mean={"q": "有理数", "total": 3})
    page = client.get("/?q=有理树&stage=junior&sort=newest").get_data(as_text=True)
    assert (
        '您是不是要找：<a href="/?q=%E6%9C%89%E7%90%86%E6%95%B0&amp;stage=junior&amp;sort=newest">'
        "有理数</a>"
        "（3 个结果）"
    ) in page
    english = client.get("/?q=有理树&stage=junior", headers=EN).get_data(as_text=True)
    assert (
        'Did you mean: <a href="/?q=%E6%9C%89%E7%90%86%E6%95%B0&amp;stage=junior">有理数</a>'
        " (3 results)?"
    ) in english


def test_the_suggestion_is_escaped_and_singular_when_it_finds_one(client, site, monkeypatch):
    _no_hits(monkeypatch, site, did_you_mean={"q": "<b>x</b>", "total": 1})
    page = client.get("/?q=y", headers=EN).get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;</a> (1 result)?" in page and "<b>x</b>" not in page


def test_no_suggestion_no_line(client, site, monkeypatch):
    for extra in ({}, {"did_you_mean": None}):
        _no_hits(monkeypatch, site, **extra)
        page = client.get("/?q=量子色动力学").get_data(as_text=True)
        assert "没有找到符合条件的资源" in page and "您是不是要找" not in page
