"""Nothing private is kept by a shared school PC's browser or a proxy (issue 9: Cache-Control)."""

from __future__ import annotations

import io

import pytest
import requests

from tests.integration.web.test_previews import publish_with_image
from tests.support.browser import login, threaded_site

PRIVATE = "private, no-store"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with threaded_site(tmp_path_factory.mktemp("cache") / "var") as running:
        yield running


def cache_control(response) -> str:
    return response.headers.get("Cache-Control", "")


def test_pages_are_not_stored(site):
    browser = login(site.base_url, "c@example.cn")
    for path in ("/", "/mine", f"/upload/{site.draft_id}", f"/r/{site.draft_id}", "/login"):
        response = browser.get(site.base_url + path)
        assert response.status_code == 200 and cache_control(response) == PRIVATE, path


def test_a_public_resource_page_may_be_cached_briefly_for_anonymous_visitors(site):
    anonymous = requests.get(f"{site.base_url}/r/{site.public_id}")
    assert anonymous.status_code == 200 and cache_control(anonymous) == "public, max-age=60"
    assert "Set-Cookie" not in anonymous.headers
    signed_in = login(site.base_url, "c@example.cn").get(f"{site.base_url}/r/{site.public_id}")
    assert cache_control(signed_in) == PRIVATE  # it names the user and carries their form token


def test_api_answers_are_not_stored(site):
    token = {"Authorization": f"Bearer {site.world.tokens['c']}"}
    for path in (f"/api/v1/resources/{site.draft_id}", "/api/v1/search?q=x", "/readyz"):
        response = requests.get(site.base_url + path, headers=token)
        assert cache_control(response) == PRIVATE, path


def test_a_private_file_is_never_stored_and_a_public_one_may_be(site):
    hub = site.app.extensions["eduhub"]
    hub.files.upload(
        site.world.contributor,
        site.draft_id,
        "教案.txt",
        io.BytesIO(b"x" * 10),
        content_length=10,
    )
    token = {"Authorization": f"Bearer {site.world.tokens['c']}"}
    private = requests.get(
        f"{site.base_url}/api/v1/resources/{site.draft_id}/files/教案.txt", headers=token
    )
    assert private.status_code == 200 and cache_control(private) == PRIVATE
    public = requests.get(f"{site.base_url}/api/v1/resources/{site.public_id}/files/课件.pdf")
    assert public.status_code == 200 and cache_control(public).startswith("public")


def test_an_answer_that_sets_a_cookie_is_never_shared(site):
    response = requests.get(site.base_url + "/lang/en", allow_redirects=False)
    assert "Set-Cookie" in response.headers and cache_control(response) == PRIVATE


def test_a_private_preview_is_not_kept_for_a_day_on_a_shared_pc(site):
    hub = site.app.extensions["eduhub"]
    record = publish_with_image(hub, site.world, visibility="org")
    hub.outbox.process()  # renders the preview
    token = {"Authorization": f"Bearer {site.world.tokens['c']}"}
    response = requests.get(
        f"{site.base_url}/api/v1/resources/{record['id']}/preview", headers=token
    )
    assert response.status_code == 200 and cache_control(response) == PRIVATE
