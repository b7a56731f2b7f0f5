"""Cookies are `Secure` behind TLS; the client's address is the real one, if proxied."""

from __future__ import annotations

import pytest
import requests

from tests.support.browser import csrf_from, threaded_site

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    with threaded_site(tmp_path_factory.mktemp("proxied") / "var", trusted_proxies=1) as site:
        yield site


@pytest.fixture(scope="module")
def direct(tmp_path_factory):
    with threaded_site(tmp_path_factory.mktemp("direct") / "var") as site:
        yield site


def login_response(site, headers: dict) -> requests.Response:
    # The cookie is carried by hand: behind TLS it is Secure, and the test talks plain http.
    form = requests.get(site.base_url + "/login", headers=headers)
    cookie = {"Cookie": "session=" + form.cookies["session"]}
    return requests.post(
        site.base_url + "/login",
        data={
            "email": "c@example.cn",
            "password": "correct horse battery",
            "csrf_token": csrf_from(form.text),
        },
        headers={**headers, **cookie},
        allow_redirects=False,
    )


def cookie_flags(response: requests.Response, name: str) -> str:
    header = response.headers.get("Set-Cookie", "")
    assert header.startswith(f"{name}="), header
    return header.lower()


def test_behind_a_tls_proxy_the_session_and_language_cookies_are_secure(proxied):
    response = login_response(proxied, HTTPS)
    assert response.status_code == 302
    assert "; secure" in cookie_flags(response, "session")
    assert "; httponly" in cookie_flags(response, "session")
    switch = requests.get(proxied.base_url + "/lang/en", headers=HTTPS, allow_redirects=False)
    assert "; secure" in cookie_flags(switch, "lang")


def test_plain_http_on_the_lan_still_works_without_secure(proxied):
    response = login_response(proxied, {})
    assert response.status_code == 302 and "; secure" not in cookie_flags(response, "session")


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(direct):
    response = login_response(direct, HTTPS)
    assert response.status_code == 302 and "; secure" not in cookie_flags(response, "session")


def audited_ip(site, headers: dict) -> str:
    token = {"Authorization": f"Bearer {site.world.tokens['c']}"}
    created = requests.post(
        site.base_url + "/api/v1/resources",
        json={"title": "代理测试", "license": "CC-BY-4.0"},
        headers={**token, **headers},
    )
    assert created.status_code == 201, created.text
    entries = requests.get(
        site.base_url + "/api/v1/audit",
        params={"action": "resource.create", "target": f"resource:{created.json()['id']}"},
        headers={"Authorization": f"Bearer {site.admin_token}"},
    ).json()["entries"]
    return entries[0]["ip"]


def test_the_client_address_is_the_one_the_trusted_proxy_saw(proxied, direct):
    assert audited_ip(proxied, HTTPS) == "203.0.113.7"
    # Without a trusted proxy a client cannot pick its own address (the login throttle keys on it).
    assert audited_ip(direct, HTTPS) == "127.0.0.1"
