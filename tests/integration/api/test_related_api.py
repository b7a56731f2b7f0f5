"""Related resources over HTTP: the chapter in other editions, the lesson's other types, and
co-downloads (else shared collections), each only as far as the viewer may read; a few capped
queries."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.factories import auth_header
from tests.resource_factories import make_world, publish
from tests.support.teacher import sqlite_url

CHAPTER = "第一章 有理数 1.3 有理数的加减法"


@pytest.fixture
def database_url(tmp_path):
    """SQLite only; the rules whose SQL differs run on PostgreSQL in test_teacher_postgres.py."""
    return sqlite_url(tmp_path)


@pytest.fixture
def world(hub):
    return related_world(hub)


def related_world(hub):
    """Resources of one lesson, of its chapter in another edition, and of other chapters."""
    world = make_world(hub)
    lesson = dict(chapter=CHAPTER, edition="pep", volume="vol1")
    world.main = publish(hub, world, title="有理数的加减法 课件", type="courseware", **lesson)
    world.plan = publish(hub, world, title="有理数的加减法 教案", type="lesson-plan", **lesson)
    world.school_only = publish(
        hub, world, title="有理数的加减法 校本习题", type="exercise", visibility="org", **lesson
    )
    world.other_edition = publish(
        hub,
        world,
        title="北师大版 有理数的加减法",
        type="courseware",
        chapter=CHAPTER,
        edition="tongbian",
        volume="vol1",
    )
    world.physics = publish(
        hub, world, title="同名章节 物理", subjects=["physics"], type="lesson-plan", **lesson
    )
    world.elsewhere = publish(hub, world, title="一元一次方程 课件", chapter="第三章 一元一次方程")
    world.also = publish(hub, world, title="数轴 课件", chapter="第一章 有理数 1.2 数轴")
    return world


def _related(client, world, who=None, rid=None):
    headers = auth_header(world.tokens[who]) if who else {}
    response = client.get(f"/api/v1/resources/{rid or world.main['id']}/related", headers=headers)
    assert response.status_code == 200, response.json
    return {k: [r["id"] for r in v] if isinstance(v, list) else v for k, v in response.json.items()}


def _download(hub, resource: dict, ip: str) -> None:
    hub.usage.record(
        "download",
        ip=ip,
        user_agent="Mozilla/5.0",
        resource_id=resource["id"],
        file_name="课件.pdf",
    )


def test_the_lesson_and_the_chapter_in_other_editions_as_each_viewer_may_read(client, world):
    member = _related(client, world, "c")
    assert member["editions"] == [world.other_edition["id"]]
    assert set(member["lesson"]) == {world.plan["id"], world.school_only["id"]}
    outsider = _related(client, world, "o")
    assert outsider["lesson"] == [world.plan["id"]]
    assert world.physics["id"] not in outsider["lesson"] + outsider["editions"]


def test_teachers_who_downloaded_this_also_downloaded_needs_two_visitors(client, hub, world):
    for ip in ("192.0.2.1", "192.0.2.2"):
        _download(hub, world.main, ip)
        _download(hub, world.elsewhere, ip)
    _download(hub, world.main, "192.0.2.3")
    _download(hub, world.also, "192.0.2.3")  # one visitor is not a pattern
    hub.stats.refresh()
    related = _related(client, world, "t")
    assert related["also_downloaded"] == [world.elsewhere["id"]]
    assert related["basis"] == "downloads"


def test_co_downloads_the_viewer_may_not_read_are_left_out(client, hub, world):
    for ip in ("192.0.2.1", "192.0.2.2"):
        _download(hub, world.main, ip)
        _download(hub, world.school_only, ip)
    hub.stats.refresh()
    assert _related(client, world, "c")["also_downloaded"] == [world.school_only["id"]]
    assert _related(client, world, "o")["also_downloaded"] == []


def test_without_downloads_shared_collections_stand_in_but_private_ones_do_not(client, hub, world):
    private = hub.collections.create(world.teacher, {"title": "私人", "visibility": "private"})
    shared = hub.collections.create(world.contributor, {"title": "共享", "visibility": "org"})
    for collection, who, other in (
        (private, world.teacher, world.also),
        (shared, world.contributor, world.elsewhere),
    ):
        hub.collections.add_item(who, collection["id"], world.main["id"])
        hub.collections.add_item(who, collection["id"], other["id"])
    related = _related(client, world, "o")
    assert related["also_downloaded"] == [world.elsewhere["id"]]
    assert related["basis"] == "collections"


def test_a_resource_you_may_not_read_has_no_related_list(client, world):
    url = f"/api/v1/resources/{world.school_only['id']}/related"
    assert client.get(url, headers=auth_header(world.tokens["o"])).status_code == 404


def test_related_resources_take_a_few_capped_queries(client, hub, world):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(hub.db.engine, "before_cursor_execute", listener)
    try:
        _related(client, world, "c")
    finally:
        event.remove(hub.db.engine, "before_cursor_execute", listener)
    related = [
        s for s in statements if "usage_daily" in s or "collection_items" in s or "chapter =" in s
    ]
    assert len(related) <= 3
    assert all("LIMIT" in s.upper() for s in related)


def test_the_resource_page_lists_them(client, world):
    page = client.get(f"/r/{world.main['id']}").get_data(as_text=True)
    assert "相关资源" in page and world.plan["title"] in page
    assert world.other_edition["title"] in page and world.school_only["title"] not in page
