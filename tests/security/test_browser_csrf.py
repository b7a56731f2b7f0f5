"""Another site cannot act with a signed-in visitor's cookie: API writes and web forms (issue 9)."""

from __future__ import annotations

import pytest
import requests

from tests.support.browser import csrf_from, login, meta_token, threaded_site

EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with threaded_site(tmp_path_factory.mktemp("csrf") / "var") as running:
        yield running


def versions(site) -> int:
    hub = site.app.extensions["eduhub"]
    return len(hub.resources.versions(site.world.contributor, site.public_id))


CROSS_SITE = [
    {"Origin": EVIL},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site", "Origin": EVIL},
    {"Sec-Fetch-Site": "same-site"},
    {},  # no Origin, no Sec-Fetch-Site, no token: not provably ours
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_cross_site_form_post_with_the_cookie_cannot_start_a_new_version(site, headers):
    browser = login(site.base_url, "c@example.cn")
    before = versions(site)
    response = browser.post(
        f"{site.base_url}/api/v1/resources/{site.public_id}/actions/new-version",
        data={"comment": "x"},  # what an HTML form on another site sends
        headers=headers,
    )
    assert response.status_code == 403
    assert "X-CSRF-Token" in response.json()["message"]
    assert versions(site) == before


def test_a_cross_site_post_cannot_start_a_sync_as_the_signed_in_admin(site):
    browser = login(site.base_url, "admin@example.cn")
    response = browser.post(
        f"{site.base_url}/api/v1/sources/1/sync", headers={"Origin": EVIL}, json={}
    )
    assert response.status_code == 403 and "Cross-site" in response.json()["message"]


def test_the_hubs_own_page_token_lets_the_cookie_write_through(site):
    browser = login(site.base_url, "c@example.cn")
    token = meta_token(browser.get(f"{site.base_url}/upload/{site.draft_id}").text)
    response = browser.post(
        f"{site.base_url}/api/v1/resources/{site.draft_id}/uploads",
        json={"name": "a.txt", "size": 5},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 201


def test_a_same_origin_browser_request_needs_no_token(site):
    browser = login(site.base_url, "c@example.cn")
    for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Origin": site.base_url}):
        response = browser.post(
            f"{site.base_url}/api/v1/resources/{site.draft_id}/uploads",
            json={"name": "b.txt", "size": 5},
            headers=headers,
        )
        assert response.status_code == 201


def test_a_token_from_another_session_or_tampered_is_refused(site):
    mine, theirs = login(site.base_url, "c@example.cn"), login(site.base_url, "r@example.cn")
    their_token = meta_token(theirs.get(site.base_url + "/mine").text)
    own = meta_token(mine.get(site.base_url + "/mine").text)
    tampered = ("A" if own[0] != "A" else "B") + own[1:]
    for token in (their_token, tampered, "", "x" * 5000, "%%%"):
        response = mine.post(
            f"{site.base_url}/api/v1/resources/{site.draft_id}/uploads",
            json={"name": "c.txt", "size": 5},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 403


def test_bearer_token_writes_are_exempt(site):
    response = requests.post(
        f"{site.base_url}/api/v1/resources/{site.draft_id}/uploads",
        json={"name": "d.txt", "size": 5},
        headers={"Authorization": f"Bearer {site.world.tokens['c']}", "Origin": EVIL},
    )
    assert response.status_code == 201


def test_a_cross_site_post_to_a_web_form_is_refused_even_with_a_valid_token(site):
    browser = login(site.base_url, "c@example.cn")
    token = csrf_from(browser.get(site.base_url + "/mine").text)
    refused = browser.post(
        site.base_url + "/logout", data={"csrf_token": token}, headers={"Origin": EVIL}
    )
    assert refused.status_code == 403
    assert browser.get(site.base_url + "/mine", allow_redirects=False).status_code == 200


def test_form_tokens_are_masked_afresh_on_every_render_and_all_of_them_work(site):
    browser = login(site.base_url, "c@example.cn")
    tokens = {csrf_from(browser.get(site.base_url + "/mine").text) for _ in range(5)}
    assert len(tokens) == 5  # BREACH: no constant secret beside reflected input in a gzip'd page
    page = browser.get(site.base_url + "/mine").text
    assert not any(token in page for token in tokens)
    response = browser.post(
        site.base_url + "/logout", data={"csrf_token": tokens.pop()}, allow_redirects=False
    )
    assert response.status_code == 302
    assert browser.get(site.base_url + "/mine", allow_redirects=False).status_code == 302
