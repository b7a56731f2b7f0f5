"""An API call without the sign-in cookie writes no session and still says its answer depends on the
cookie; the cookie, when sent, signs in as before, and a forged one signs nobody in."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from tests.resource_factories import make_world, publish


@pytest.fixture
def world(hub):
    world = make_world(hub)
    publish(hub, world, title="分数的初步认识")
    hub.outbox.process()  # indexed
    return world


def log_in(client, email: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302


def test_a_search_without_the_cookie_sets_none_and_varies_on_it(client, world):
    answer = client.get("/api/v1/resources?q=分数")
    assert answer.status_code == 200 and answer.json["total"] == 1
    assert "Set-Cookie" not in answer.headers
    assert "Cookie" in answer.headers["Vary"]
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-Id"])


def test_the_sign_in_cookie_still_signs_the_api_in(client, world):
    assert client.get("/api/v1/users/me").status_code == 401
    log_in(client, "t@example.cn")
    me = client.get("/api/v1/users/me")
    assert me.status_code == 200 and me.json["email"] == "t@example.cn"
    assert "Set-Cookie" not in me.headers  # an unchanged session is not written again


def test_a_forged_cookie_signs_nobody_in_and_is_left_alone(client, world):
    client.set_cookie("session", "eyJ1aWQiOjF9.forged.signature")
    answer = client.get("/api/v1/users/me")
    assert answer.status_code == 401 and "Set-Cookie" not in answer.headers


def test_logging_out_removes_the_cookie(client, world):
    log_in(client, "t@example.cn")
    html = client.get("/mine").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    answer = client.post("/logout", data={"csrf_token": token})
    assert "session=;" in answer.headers["Set-Cookie"]
    assert client.get("/api/v1/users/me").status_code == 401
