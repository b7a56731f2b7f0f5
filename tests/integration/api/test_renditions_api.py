"""The renditions and posters over HTTP: beside the file download, with its Range, ETag and
visibility rule, and a 404 until the worker has made them."""

from __future__ import annotations

import io

import pytest

from tests.factories import auth_header
from tests.resource_factories import make_world, valid_record
from tests.support import media

NAME = "微课.mp4"


@pytest.fixture
def database_url(tmp_path):
    """SQLite only: the route is the same on both databases, and a transcode costs seconds."""
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    media.need_ffmpeg()
    return media.lesson(tmp_path_factory.mktemp("clip") / "c.mp4", 2, "640x360").read_bytes()


@pytest.fixture
def world(hub):
    return make_world(hub)


def _resource(hub, world, clip, *, visibility="public", publish=True) -> str:
    rid = hub.resources.create(world.contributor, valid_record(visibility=visibility))["id"]
    hub.files.upload(world.contributor, rid, NAME, io.BytesIO(clip), content_length=None)
    if publish:
        hub.resources.act(world.contributor, rid, "submit")
        hub.resources.act(world.reviewer, rid, "publish")
    hub.outbox.process()
    for task, args in list(hub.tasks.sent):
        if task == "make_rendition":
            hub.renditions.make(*args)
    return rid


def test_the_rendition_is_served_with_ranges_and_its_sha256_as_etag(client, hub, world, clip):
    rid = _resource(hub, world, clip)
    url = f"/api/v1/resources/{rid}/renditions/{NAME}"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.mimetype == "video/mp4"
    assert whole.headers["Content-Disposition"].startswith("inline")
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == whole.data[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(whole.data)}"
    etag = whole.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    poster = client.get(f"/api/v1/resources/{rid}/posters/{NAME}")
    assert poster.status_code == 200 and poster.data.startswith(b"\x89PNG")


def test_an_org_only_rendition_is_hidden_as_the_file_is(client, hub, world, clip):
    rid = _resource(hub, world, clip, visibility="org")
    url = f"/api/v1/resources/{rid}/renditions/{NAME}"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=auth_header(world.tokens["o"])).status_code == 404
    assert client.get(url, headers=auth_header(world.tokens["c"])).status_code == 200


def test_no_rendition_yet_and_no_such_file_are_404_in_plain_words(client, hub, world, clip):
    rid = hub.resources.create(world.contributor, valid_record())["id"]
    hub.files.upload(world.contributor, rid, NAME, io.BytesIO(clip), content_length=None)
    mine = auth_header(world.tokens["c"])
    answer = client.get(f"/api/v1/resources/{rid}/renditions/{NAME}", headers=mine)
    assert answer.status_code == 404 and "download it" in answer.json["message"]
    other = client.get(f"/api/v1/resources/{rid}/renditions/none.mp4", headers=mine)
    assert other.status_code == 404 and "none.mp4" in other.json["message"]
