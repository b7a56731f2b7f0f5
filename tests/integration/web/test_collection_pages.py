"""The teacher's pages without script: keep a resource, build a collection from resource pages,
reorder it, and share it with the school but not beyond."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from tests.resource_factories import make_world
from tests.support.browser import csrf_from
from tests.support.teacher import add_colleague, publish_three, sqlite_url


@pytest.fixture
def database_url(tmp_path):
    """SQLite only; the rules whose SQL differs run on PostgreSQL in test_teacher_postgres.py."""
    return sqlite_url(tmp_path)


@pytest.fixture
def world(hub):
    world = make_world(hub)
    add_colleague(hub, world)
    world.three = publish_three(hub, world)
    return world


def log_in(app, email: str):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


def _post(client, page_url: str, action: str, **fields):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **fields})


def test_a_teacher_keeps_collects_reorders_and_shares_in_the_school(app, world):
    teacher = log_in(app, "c@example.cn")
    first, second, third = (f"/r/{r['id']}" for r in world.three)
    kept = _post(teacher, first, f"{first}/favourite", keep="1")
    assert kept.status_code == 302
    assert 'aria-pressed="true"' in teacher.get(first).get_data(as_text=True)
    made = _post(teacher, first, f"{first}/collect", collection="", title="第一单元", note="导入")
    cid = re.search(r"collected=([\w-]+)", made.location).group(1)
    for url in (second, third):
        _post(teacher, url, f"{url}/collect", collection=cid, note="")
    page = teacher.get(f"/c/{cid}").get_data(as_text=True)
    assert page.index(world.three[0]["title"]) < page.index(world.three[2]["title"])
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    third_id = world.three[2]["id"]
    moved = _post(
        teacher,
        f"/c/{cid}",
        f"/c/{cid}/items/{third_id}/move",
        direction="up",
        revision=revision,
    )
    assert moved.status_code == 302
    page = teacher.get(f"/c/{cid}").get_data(as_text=True)
    assert page.index(world.three[2]["title"]) < page.index(world.three[1]["title"])
    shared = _post(
        teacher,
        f"/c/{cid}",
        f"/c/{cid}/settings",
        title="第一单元",
        visibility="org",
        revision=re.search(r'name="revision" value="(\d+)"', page).group(1),
    )
    assert shared.status_code == 302
    assert log_in(app, "t1@example.cn").get(f"/c/{cid}").status_code == 200
    assert log_in(app, "o@example.cn").get(f"/c/{cid}").status_code == 404
    mine = teacher.get("/mine").get_data(as_text=True)
    assert "第一单元" in mine and world.three[0]["title"] in mine


def test_a_stale_page_cannot_reorder_over_a_newer_change(app, world):
    teacher = log_in(app, "c@example.cn")
    collection = app.extensions["eduhub"].collections.create(world.contributor, {"title": "单元"})
    for record in world.three:
        app.extensions["eduhub"].collections.add_item(
            world.contributor, collection["id"], record["id"]
        )
    url = f"/c/{collection['id']}"
    stale = _post(
        teacher,
        url,
        f"{url}/items/{world.three[1]['id']}/move",
        direction="up",
        revision=str(collection["revision"]),
    )
    assert stale.status_code == 412


def test_a_forged_post_without_the_form_token_is_refused(app, world):
    teacher = log_in(app, "c@example.cn")
    url = f"/r/{world.three[0]['id']}/favourite"
    assert teacher.post(url, data={"keep": "1"}).status_code == 403
