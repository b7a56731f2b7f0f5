"""The teacher features against a hostile page or user: cookie writes need the page's token, a
collection's id cannot be guessed into view, comment markup never runs, notes and bodies are
bounded."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.resource_factories import make_world, publish
from tests.support.browser import csrf_from, meta_token
from tests.support.teacher import sqlite_url


@pytest.fixture
def database_url(tmp_path):
    return sqlite_url(tmp_path)


@pytest.fixture
def world(hub):
    world = make_world(hub)
    world.public = publish(hub, world)
    return world


def _signed_in(app, email: str):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", "/api/v1/me/favourites/{id}", None),
        ("post", "/api/v1/collections", {"title": "跨站"}),
        ("put", "/api/v1/resources/{id}/rating", {"stars": 1}),
        ("post", "/api/v1/resources/{id}/comments", {"body": "跨站评论"}),
    ],
)
def test_a_cookie_write_from_another_site_is_refused_and_ours_goes_through(
    app, world, method, path, body
):
    client = _signed_in(app, "t@example.cn")
    url = path.format(id=world.public["id"])
    forged = getattr(client, method)(url, json=body, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    token = meta_token(client.get("/mine").get_data(as_text=True))
    ours = getattr(client, method)(url, json=body, headers={"X-CSRF-Token": token})
    assert ours.status_code in (200, 201)


def test_another_users_collection_is_not_found_whatever_id_is_tried(app, hub, world):
    mine = hub.collections.create(world.contributor, {"title": "私人", "visibility": "private"})
    client = _signed_in(app, "o@example.cn")
    for guess in (mine["id"], mine["id"].upper(), "../" + mine["id"], "' OR 1=1 --", "x" * 5000):
        assert client.get(f"/api/v1/collections/{guess}").status_code == 404
        assert client.get(f"/c/{guess}").status_code == 404


def test_comment_markup_is_shown_as_text_on_every_page_that_lists_it(app, hub, world):
    hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    hub.comments.post(world.teacher, world.public["id"], hostile)
    hub.comments.report(world.outsider, _first_comment(hub, world), "spam")
    pages = {
        "resource": _signed_in(app, "o@example.cn").get(f"/r/{world.public['id']}"),
        "mine": _signed_in(app, "c@example.cn").get("/mine"),
        "review": _signed_in(app, "r@example.cn").get("/review"),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert "<img src=x" not in html and "<script>alert(2)" not in html, name
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, name


def test_a_huge_body_is_refused_before_it_is_read(app, world):
    client = _signed_in(app, "t@example.cn")
    token = meta_token(client.get("/mine").get_data(as_text=True))
    huge = client.post(
        f"/api/v1/resources/{world.public['id']}/comments",
        data=b'{"body": "' + b"a" * (5 << 20) + b'"}',
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413


def _first_comment(hub, world) -> int:
    return hub.comments.list(world.teacher, world.public["id"])[0]["id"]
