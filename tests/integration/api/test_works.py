"""Exact duplicates uploaded separately are one work: "also from" in the API, found once."""

from __future__ import annotations

import io

from hub.security.principal import SYSTEM
from hub.services.indexer import index_resources
from tests.resource_factories import PDF_BYTES, make_world, valid_record


def drain(hub, *records) -> None:
    """What the worker's index handler does after the commit (without previews and extraction)."""
    index_resources(hub.db, hub.index, [r["id"] for r in records])


def publish(hub, world, title: str) -> dict:
    """A record published with PDF_BYTES: every call uploads the same file."""
    record = hub.resources.create(world.contributor, valid_record(title=title))
    hub.files.upload(
        world.contributor,
        record["id"],
        "课件.pdf",
        io.BytesIO(PDF_BYTES),
        content_length=len(PDF_BYTES),
    )
    hub.resources.act(world.contributor, record["id"], "submit")
    return hub.resources.act(world.reviewer, record["id"], "publish", comment="好")


def found(client, q: str) -> list[str]:
    return [h["id"] for h in client.get("/api/v1/resources", query_string={"q": q}).json["hits"]]


def test_the_same_file_uploaded_twice_is_one_work_found_once(hub, client):
    world = make_world(hub)
    first = publish(hub, world, "分数的意义 课件")
    second = publish(hub, world, "分数的意义（另一所学校上传）")
    drain(hub, first, second)

    shown = client.get(f"/api/v1/resources/{second['id']}").json
    assert shown["work_id"] == first["id"]
    assert [a["id"] for a in shown["also_from"]] == [first["id"]]
    assert [a["id"] for a in client.get(f"/api/v1/resources/{first['id']}").json["also_from"]] == [
        second["id"]
    ]
    assert found(client, "分数的意义") == [first["id"]]
    hub.stats.refresh()  # the catalogue counts move at the refresh (beat, or eduhub stats refresh)
    overview = client.get("/api/v1/stats/overview").json["resources"]
    assert (overview["published"], overview["works"]) == (2, 1)

    # The lead withdrawn, the other copy leads its work of one and is found again.
    hub.resources.withdraw(SYSTEM, first["id"])
    drain(hub, first)
    assert found(client, "分数的意义") == [second["id"]]
    assert client.get(f"/api/v1/resources/{second['id']}").json["also_from"] == []


def test_the_resource_page_says_also_from(hub, client):
    world = make_world(hub)
    first = publish(hub, world, "分数的意义 课件")
    second = publish(hub, world, "分数的意义（另一所学校上传）")
    drain(hub, first, second)
    page = client.get(f"/r/{second['id']}", headers={"Accept-Language": "zh-CN"}).text
    assert "另见" in page
    assert f'href="/r/{first["id"]}"' in page
