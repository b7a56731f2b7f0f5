"""Pages, JSON and XML go out gzipped to clients that accept it; files, ranges and ETag'd records
never do."""

from __future__ import annotations

import gzip
import io

import pytest

from tests.resource_factories import make_world, publish, valid_record

GZIP = {"Accept-Encoding": "gzip, deflate"}


@pytest.fixture
def world(hub):
    return make_world(hub)


@pytest.fixture
def record(hub, world):
    return publish(hub, world, title="分数的初步认识", description="认识几分之一。" * 200)


def test_the_search_page_is_gzipped_for_a_client_that_accepts_it(client, record):
    plain = client.get("/")
    zipped = client.get("/", headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert int(zipped.headers["Content-Length"]) == len(zipped.get_data()) < len(plain.get_data())


def test_no_gzip_without_accept_encoding_or_when_refused(client, record):
    assert "Content-Encoding" not in client.get("/").headers
    assert (
        "Content-Encoding"
        not in client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"}).headers
    )
    assert "Accept-Encoding" in client.get("/").headers["Vary"]  # caches still keep the two apart


def test_oai_xml_is_gzipped(client, record):
    response = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<OAI-PMH" in gzip.decompress(response.get_data())


def test_a_record_with_an_etag_is_sent_as_its_exact_bytes(client, record):
    response = client.get(f"/api/v1/resources/{record['id']}", headers=GZIP)
    assert response.status_code == 200 and response.headers.get("ETag")
    assert "Content-Encoding" not in response.headers
    assert response.get_json()["id"] == record["id"]


def test_downloads_and_ranges_are_never_compressed(client, hub, world):
    text = "第一课 分数\n".encode() * 2000
    draft = hub.resources.create(world.contributor, valid_record())
    hub.files.upload(
        world.contributor, draft["id"], "lesson.txt", io.BytesIO(text), content_length=len(text)
    )
    url, auth = (
        f"/api/v1/resources/{draft['id']}/files/lesson.txt",
        {"Authorization": f"Bearer {world.tokens['c']}"},
    )
    whole = client.get(url, headers={**GZIP, **auth})
    assert whole.status_code == 200 and "Content-Encoding" not in whole.headers
    assert whole.get_data() == text
    part = client.get(url, headers={**GZIP, **auth, "Range": "bytes=0-99"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.get_data() == text[:100]
