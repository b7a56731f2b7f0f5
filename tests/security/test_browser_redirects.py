"""`next` never sends a visitor off the hub, whatever it holds (issue 9: open redirects)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.browser import csrf_from, login, threaded_site

PAYLOADS = [
    "/\t/evil.example",
    "/%09/evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "/\n/evil.example",
    "/search\nSet-Cookie: x=1",
    "/\r\n\r\n<script>",
    " //evil.example",
    "/\u3000/evil.example",
    "/\x00/evil.example",
    "evil.example",
    "/" + "a" * 5000,
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with threaded_site(tmp_path_factory.mktemp("redirects") / "var") as running:
        yield running


def where_a_browser_goes(base_url: str, location: str) -> str:
    # Browsers strip tabs and newlines from a Location before resolving it against the page.
    cleaned = location.replace("\t", "").replace("\n", "").replace("\r", "")
    return urlsplit(urljoin(base_url + "/", cleaned)).netloc


def assert_stays_on_the_hub(site, response):
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    assert where_a_browser_goes(site.base_url, location) == urlsplit(site.base_url).netloc


@pytest.mark.parametrize("target", PAYLOADS)
def test_the_language_switch_stays_on_the_hub(site, target):
    response = requests.get(
        site.base_url + "/lang/en", params={"next": target}, allow_redirects=False
    )
    assert_stays_on_the_hub(site, response)


@pytest.mark.parametrize("target", PAYLOADS)
def test_login_stays_on_the_hub_after_signing_in(site, target):
    browser = requests.Session()
    form = browser.get(site.base_url + "/login", params={"next": target})
    hidden = re.search(r'name="next" value="([^"]*)"', form.text).group(1)
    assert form.status_code == 200 and hidden in ("", target)  # a hostile next is not carried on
    assert (
        hidden == ""
        or where_a_browser_goes(site.base_url, hidden) == urlsplit(site.base_url).netloc
    )
    response = browser.post(
        site.base_url + "/login",
        data={
            "email": "c@example.cn",
            "password": "correct horse battery",
            "csrf_token": csrf_from(form.text),
            "next": target,
        },
        allow_redirects=False,
    )
    assert_stays_on_the_hub(site, response)


@pytest.mark.parametrize("target", PAYLOADS)
def test_an_already_signed_in_visitor_is_not_sent_away(site, target):
    browser = login(site.base_url, "c@example.cn")
    response = browser.get(site.base_url + "/login", params={"next": target}, allow_redirects=False)
    assert_stays_on_the_hub(site, response)


@pytest.mark.parametrize(
    "query", ["next=/%09/evil.example", "next=/%0a/evil.example", "next=%2F%2Fevil.example"]
)
def test_the_reported_raw_query_strings_stay_on_the_hub(site, query):
    for path in ("/lang/en", "/lang/zh"):
        response = requests.get(f"{site.base_url}{path}?{query}", allow_redirects=False)
        assert_stays_on_the_hub(site, response)


def test_a_local_path_is_kept(site):
    response = requests.get(
        site.base_url + "/lang/en", params={"next": "/r/abc?x=1"}, allow_redirects=False
    )
    assert response.headers["Location"].endswith("/r/abc?x=1")


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.text(max_size=60) | st.sampled_from(PAYLOADS).map(lambda p: p + "x"))
def test_whatever_next_holds_the_redirect_stays_on_the_hub(site, target):
    # The test client, not the socket: thousands of inputs, the same application code.
    client = site.app.test_client()
    response = client.get("/lang/zh", query_string={"next": target})
    assert response.status_code == 302
    assert where_a_browser_goes("http://localhost", response.headers["Location"]) == "localhost"
