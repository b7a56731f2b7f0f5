"""Favourites and collections over HTTP: sharing by the one visibility rule, order under
concurrent edits, limits, and a collection downloaded as one signed bundle."""

from __future__ import annotations

import pytest

from hub.services.collection_input import MAX_NOTE
from tests.factories import auth_header
from tests.resource_factories import make_world, publish, valid_record
from tests.support.teacher import add_colleague, bundle_records, publish_three, sqlite_url


@pytest.fixture
def database_url(tmp_path):
    """SQLite only; the rules whose SQL differs run on PostgreSQL in test_teacher_postgres.py."""
    return sqlite_url(tmp_path)


@pytest.fixture
def world(hub):
    world = make_world(hub)
    add_colleague(hub, world)
    return world


@pytest.fixture
def three(hub, world):
    return publish_three(hub, world)


def _h(world, who):
    return auth_header(world.tokens[who])


def _collection(client, world, three, visibility="org", who="c"):
    made = client.post(
        "/api/v1/collections",
        json={"title": "第一单元 有理数", "visibility": visibility},
        headers=_h(world, who),
    )
    assert made.status_code == 201, made.json
    cid = made.json["id"]
    for n, record in enumerate(three):
        added = client.post(
            f"/api/v1/collections/{cid}/items",
            json={"resource_id": record["id"], "note": f"第{n + 1}课时"},
            headers=_h(world, who),
        )
        assert added.status_code == 200, added.json
    return client.get(f"/api/v1/collections/{cid}", headers=_h(world, who)).json


def test_a_favourite_is_kept_listed_and_removed(client, world, three):
    rid = three[0]["id"]
    assert client.put(f"/api/v1/me/favourites/{rid}", headers=_h(world, "t")).status_code == 200
    assert client.put(f"/api/v1/me/favourites/{rid}", headers=_h(world, "t")).status_code == 200
    listed = client.get("/api/v1/me/favourites", headers=_h(world, "t")).json["favourites"]
    assert [f["id"] for f in listed] == [rid]
    assert client.delete(f"/api/v1/me/favourites/{rid}", headers=_h(world, "t")).status_code == 204
    assert client.get("/api/v1/me/favourites", headers=_h(world, "t")).json["favourites"] == []


def test_a_resource_you_may_not_read_cannot_be_kept_and_anonymous_cannot_keep(client, hub, world):
    hidden = publish(hub, world, visibility="org")
    put = client.put(f"/api/v1/me/favourites/{hidden['id']}", headers=_h(world, "o"))
    assert put.status_code == 404
    assert client.put(f"/api/v1/me/favourites/{hidden['id']}").status_code == 401


def test_items_keep_their_order_and_notes(client, world, three):
    collection = _collection(client, world, three)
    assert [i["resource"]["id"] for i in collection["items"]] == [r["id"] for r in three]
    assert [i["note"] for i in collection["items"]] == ["第1课时", "第2课时", "第3课时"]


def test_reorder_needs_the_revision_read_and_every_item_once(client, world, three):
    collection = _collection(client, world, three)
    url = f"/api/v1/collections/{collection['id']}/items"
    new_order = [r["id"] for r in reversed(three)]
    assert client.put(url, json={"items": new_order}, headers=_h(world, "c")).status_code == 428
    stale = {**_h(world, "c"), "If-Match": f'"{collection["revision"] - 1}"'}
    assert client.put(url, json={"items": new_order}, headers=stale).status_code == 412
    fresh = {**_h(world, "c"), "If-Match": f'"{collection["revision"]}"'}
    partial = client.put(url, json={"items": new_order[:2]}, headers=fresh)
    assert partial.status_code == 412
    done = client.put(url, json={"items": new_order}, headers=fresh)
    assert done.status_code == 200
    assert [i["resource"]["id"] for i in done.json["items"]] == new_order
    # The first tab's revision is now stale: its reorder is refused, not applied over this one.
    again = client.put(url, json={"items": [r["id"] for r in three]}, headers=fresh)
    assert again.status_code == 412


def test_a_collection_shared_in_the_school_is_seen_by_a_colleague_not_another_county(
    client, world, three
):
    collection = _collection(client, world, three, visibility="org")
    url = f"/api/v1/collections/{collection['id']}"
    seen = client.get(url, headers=_h(world, "t1"))
    assert seen.status_code == 200 and len(seen.json["items"]) == 3
    assert client.get(url, headers=_h(world, "o")).status_code == 404
    assert client.get(url, headers=_h(world, "t")).status_code == 404  # another school
    assert client.get(url).status_code == 404


def test_a_collection_shared_in_the_region_reaches_the_county_not_beyond(client, world, three):
    collection = _collection(client, world, three, visibility="region")
    url = f"/api/v1/collections/{collection['id']}"
    assert client.get(url, headers=_h(world, "t")).status_code == 200
    assert client.get(url, headers=_h(world, "o")).status_code == 404


def test_a_private_collection_is_its_owners_alone(client, world, three):
    collection = _collection(client, world, three, visibility="private")
    url = f"/api/v1/collections/{collection['id']}"
    assert client.get(url, headers=_h(world, "t1")).status_code == 404
    assert client.get(url, headers=_h(world, "c")).status_code == 200


def test_items_the_viewer_may_not_read_are_not_shown(client, hub, world, three):
    draft = hub.resources.create(world.contributor, valid_record(title="未发布草稿"))
    collection = _collection(client, world, three + [draft], visibility="org")
    assert len(collection["items"]) == 4  # the owner made the draft
    seen = client.get(f"/api/v1/collections/{collection['id']}", headers=_h(world, "t1")).json
    assert [i["resource"]["id"] for i in seen["items"]] == [r["id"] for r in three]


def test_only_the_owner_changes_a_collection(client, world, three):
    collection = _collection(client, world, three, visibility="org")
    url = f"/api/v1/collections/{collection['id']}"
    patched = client.patch(url, json={"title": "改名"}, headers=_h(world, "t1"))
    assert patched.status_code == 403
    gone = client.delete(f"{url}/items/{three[0]['id']}", headers=_h(world, "t1"))
    assert gone.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "ok", "visibility": "public"},
        {"title": "ok", "owner_id": 1},
        {"title": 5},
        {"title": "a\x00b"},
    ],
)
def test_bad_collection_fields_are_refused_with_the_field_named(client, world, body):
    response = client.post("/api/v1/collections", json=body, headers=_h(world, "c"))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] in body


def test_a_huge_note_and_a_foreign_org_are_refused(client, world, three):
    collection = _collection(client, world, three[:1])
    url = f"/api/v1/collections/{collection['id']}/items/{three[0]['id']}"
    huge = client.patch(url, json={"note": "长" * (MAX_NOTE + 1)}, headers=_h(world, "c"))
    assert huge.status_code == 422
    foreign = client.post(
        "/api/v1/collections", json={"title": "x", "org": "gy"}, headers=_h(world, "c")
    )
    assert foreign.status_code == 403


def test_a_collection_downloads_as_one_signed_bundle_of_what_the_viewer_may_read(
    client, hub, world, three
):
    hidden = publish(hub, world, title="仅本校可见", visibility="org")
    collection = _collection(client, world, three + [hidden], visibility="region")
    url = f"/api/v1/collections/{collection['id']}/bundle"
    owner = client.get(url, headers=_h(world, "c"))
    assert owner.status_code == 200 and owner.mimetype == "application/zip"
    assert len(bundle_records(owner.data, hub)) == 4
    other_school = client.get(url, headers=_h(world, "t"))
    ids = {r["id"] for r in bundle_records(other_school.data, hub)}
    assert ids == {r["id"] for r in three}
    assert client.get(url, headers=_h(world, "o")).status_code == 404
