"""Files over HTTP: streamed upload with Digest, sniffing, limits, and downloads with Range and
ETags."""

from __future__ import annotations

import base64
import hashlib
import io
import os

import pytest

from tests.factories import auth_header
from tests.resource_factories import PDF_BYTES, make_world, valid_record


@pytest.fixture
def world(hub):
    return make_world(hub)


@pytest.fixture
def draft(client, world):
    response = client.post(
        "/api/v1/resources", json=valid_record(), headers=auth_header(world.tokens["c"])
    )
    return response.json


def _put(client, world, rid, name, data, **headers):
    return client.put(
        f"/api/v1/resources/{rid}/files/{name}",
        data=data,
        headers={**auth_header(world.tokens["c"]), **headers},
    )


def _published_with(client, world, hub, data=PDF_BYTES, name="课件.pdf"):
    rid = client.post(
        "/api/v1/resources", json=valid_record(), headers=auth_header(world.tokens["c"])
    ).json["id"]
    assert _put(client, world, rid, name, data).status_code == 201
    hub.resources.act(world.contributor, rid, "submit")
    hub.resources.act(world.reviewer, rid, "publish")
    return rid


def test_upload_returns_name_size_sha_and_sniffed_type(client, world, draft):
    response = _put(client, world, draft["id"], "课件.pdf", PDF_BYTES)
    assert response.status_code == 201
    assert response.json == {
        "name": "课件.pdf",
        "size": len(PDF_BYTES),
        "sha256": hashlib.sha256(PDF_BYTES).hexdigest(),
        "mimetype": "application/pdf",
    }


def test_right_digest_accepted_wrong_digest_is_400_and_nothing_attached(client, world, draft, hub):
    good = base64.b64encode(hashlib.sha256(PDF_BYTES).digest()).decode()
    assert (
        _put(client, world, draft["id"], "a.pdf", PDF_BYTES, Digest=f"sha-256={good}").status_code
        == 201
    )
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    response = _put(
        client, world, draft["id"], "b.pdf", PDF_BYTES + b" ", Digest=f"sha-256={wrong}"
    )
    assert response.status_code == 400
    names = [f["name"] for f in hub.resources.get(world.contributor, draft["id"])["files"]]
    assert names == ["a.pdf"]
    assert not hub.storage.exists(hashlib.sha256(PDF_BYTES + b" ").hexdigest())
    assert (
        _put(client, world, draft["id"], "c.pdf", PDF_BYTES, Digest="sha-256=!!").status_code == 400
    )


def test_executable_named_pdf_is_415_and_not_stored(client, world, draft, hub):
    exe = b"MZ\x90\x00" + os.urandom(2000)
    response = _put(client, world, draft["id"], "作业.pdf", exe)
    assert response.status_code == 415
    assert "PDF" in response.json["message"]
    assert not hub.storage.exists(hashlib.sha256(exe).hexdigest())


def test_over_the_limit_is_413_before_the_body_is_stored(client, world, draft, hub):
    hub.config.max_upload_mb = 1
    big = PDF_BYTES + b"0" * (2 * 1024 * 1024)
    response = _put(client, world, draft["id"], "big.pdf", big)
    assert response.status_code == 413
    # Without a Content-Length (chunked), the stream is cut off once past the limit.
    response = client.put(
        f"/api/v1/resources/{draft['id']}/files/big.pdf",
        input_stream=io.BytesIO(big),
        headers={**auth_header(world.tokens["c"]), "Transfer-Encoding": "chunked"},
    )
    assert response.status_code == 413
    assert list(hub.storage.iter_keys()) == []


def test_client_that_disconnects_leaves_nothing(client, world, draft, hub):
    env = {"CONTENT_LENGTH": str(len(PDF_BYTES) * 10)}
    response = client.put(
        f"/api/v1/resources/{draft['id']}/files/a.pdf",
        input_stream=io.BytesIO(PDF_BYTES[:100]),
        headers=auth_header(world.tokens["c"]),
        environ_overrides=env,
    )
    assert response.status_code == 400
    assert hub.resources.get(world.contributor, draft["id"])["files"] == []
    assert list(hub.storage.iter_keys()) == []
    assert (
        not any((hub.config.data_dir / "tmp").glob("*"))
        if (hub.config.data_dir / "tmp").exists()
        else True
    )


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", ".hidden.pdf", "a\x00b.pdf", "con.pdf"])
def test_hostile_file_names_are_sanitised_or_refused(client, world, draft, name):
    from urllib.parse import quote

    response = _put(client, world, draft["id"], quote(name, safe=""), PDF_BYTES)
    assert response.status_code in (201, 400, 422)
    if response.status_code == 201:
        stored = response.json["name"]
        assert "/" not in stored and not stored.startswith(".") and "\x00" not in stored


def test_same_bytes_stored_once(client, world, hub, draft):
    _put(client, world, draft["id"], "a.pdf", PDF_BYTES)
    _put(client, world, draft["id"], "b.pdf", PDF_BYTES)
    assert list(hub.storage.iter_keys()) == [hashlib.sha256(PDF_BYTES).hexdigest()]


def test_multipart_upload_for_browsers(client, world, draft):
    response = client.post(
        f"/api/v1/resources/{draft['id']}/files",
        headers=auth_header(world.tokens["c"]),
        data={"file": (io.BytesIO(PDF_BYTES), "讲义.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201 and response.json["files"][0]["name"] == "讲义.pdf"


def test_download_whole_with_etag_and_utf8_name(client, world, hub):
    rid = _published_with(client, world, hub)
    response = client.get(f"/api/v1/resources/{rid}/files/课件.pdf")
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.headers["ETag"] == f'"{hashlib.sha256(PDF_BYTES).hexdigest()}"'
    assert "filename*=UTF-8''%E8%AF%BE%E4%BB%B6.pdf" in response.headers["Content-Disposition"]
    again = client.get(
        f"/api/v1/resources/{rid}/files/课件.pdf",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""


def test_download_ranges(client, world, hub):
    rid = _published_with(client, world, hub)
    url = f"/api/v1/resources/{rid}/files/课件.pdf"
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == PDF_BYTES[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(PDF_BYTES)}"
    tail = client.get(url, headers={"Range": "bytes=-5"})
    assert tail.data == PDF_BYTES[-5:]
    resume = client.get(url, headers={"Range": "bytes=100-"})
    assert resume.data == PDF_BYTES[100:]
    beyond = client.get(url, headers={"Range": f"bytes={len(PDF_BYTES) + 5}-"})
    assert (
        beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(PDF_BYTES)}"
    )
    assert client.get(url, headers={"Range": "bytes=abc"}).status_code == 200
    stale = client.get(url, headers={"Range": "bytes=0-3", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.data == PDF_BYTES


def test_download_counts_once_per_transfer(client, world, hub):
    rid = _published_with(client, world, hub)
    url = f"/api/v1/resources/{rid}/files/课件.pdf"
    client.get(url)
    client.get(url, headers={"Range": "bytes=50-"})
    hub.stats.refresh()  # downloads are counted from the usage events
    assert hub.resources.get(world.contributor, rid)["downloads"] == 1


def test_org_only_download_is_404_for_others(client, world, hub):
    rid = client.post(
        "/api/v1/resources",
        json=valid_record(visibility="org"),
        headers=auth_header(world.tokens["c"]),
    ).json["id"]
    _put(client, world, rid, "a.pdf", PDF_BYTES)
    assert client.get(f"/api/v1/resources/{rid}/files/a.pdf").status_code == 404
    assert (
        client.get(
            f"/api/v1/resources/{rid}/files/a.pdf", headers=auth_header(world.tokens["o"])
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/resources/{rid}/files/a.pdf", headers=auth_header(world.tokens["c"])
        ).status_code
        == 200
    )


def test_delete_file_from_draft(client, world, draft):
    _put(client, world, draft["id"], "a.pdf", PDF_BYTES)
    url = f"/api/v1/resources/{draft['id']}/files/a.pdf"
    assert client.delete(url, headers=auth_header(world.tokens["c"])).status_code == 204
    assert client.delete(url, headers=auth_header(world.tokens["c"])).status_code == 404
