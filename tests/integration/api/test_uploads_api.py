"""Resumable uploads over HTTP: chunks at offsets, resuming after a cut, and every way to get it
wrong."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import pytest

from hub.db.base import utcnow
from hub.db.models.uploads import UploadSession
from hub.services import uploads as uploads_module
from tests.factories import auth_header
from tests.resource_factories import PDF_BYTES, make_world, valid_record

# A PDF of a few chunks: the sniffer only needs the header, the padding makes it span chunks.
BIG_PDF = PDF_BYTES + b"%" + os.urandom(200_000) + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(uploads_module, "CHUNK_SIZE", 64 * 1024)


@pytest.fixture
def world(hub):
    return make_world(hub)


@pytest.fixture
def rid(client, world):
    return client.post(
        "/api/v1/resources", json=valid_record(), headers=auth_header(world.tokens["c"])
    ).json["id"]


def _start(client, world, rid, data=BIG_PDF, name="课件.pdf", who="c", **extra):
    return client.post(
        f"/api/v1/resources/{rid}/uploads",
        json={"name": name, "size": len(data), **extra},
        headers=auth_header(world.tokens[who]),
    )


def _patch(client, world, upload_id, offset, chunk, who="c"):
    return client.patch(
        f"/api/v1/uploads/{upload_id}",
        data=chunk,
        headers={
            **auth_header(world.tokens[who]),
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
    )


def _send_all(client, world, upload_id, data, start=0, step=64 * 1024):
    response = None
    for offset in range(start, len(data), step):
        response = _patch(client, world, upload_id, offset, data[offset : offset + step])
    return response


def test_chunks_in_order_attach_the_file_and_the_last_answer_is_the_file(client, world, rid, hub):
    started = _start(client, world, rid)
    assert started.status_code == 201
    assert started.json["offset"] == 0 and started.json["chunk_size"] == 64 * 1024
    upload_id = started.json["upload_id"]

    first = _patch(client, world, upload_id, 0, BIG_PDF[:65536])
    assert first.status_code == 204 and first.headers["Upload-Offset"] == "65536"
    last = _send_all(client, world, upload_id, BIG_PDF, start=65536)

    assert last.status_code == 201
    assert last.json == {
        "name": "课件.pdf",
        "size": len(BIG_PDF),
        "sha256": hashlib.sha256(BIG_PDF).hexdigest(),
        "mimetype": "application/pdf",
    }
    assert [f["name"] for f in hub.resources.get(world.contributor, rid)["files"]] == ["课件.pdf"]
    assert not hub.uploads.part_path(upload_id).exists()


def test_head_tells_where_to_resume_after_a_cut(client, world, rid):
    upload_id = _start(client, world, rid).json["upload_id"]
    _patch(client, world, upload_id, 0, BIG_PDF[:65536])

    head = client.head(f"/api/v1/uploads/{upload_id}", headers=auth_header(world.tokens["c"]))
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == "65536" and head.headers["Upload-Length"] == str(
        len(BIG_PDF)
    )
    assert (
        _send_all(
            client, world, upload_id, BIG_PDF, start=int(head.headers["Upload-Offset"])
        ).status_code
        == 201
    )


def test_wrong_offset_is_409_with_the_hubs_offset(client, world, rid):
    upload_id = _start(client, world, rid).json["upload_id"]
    _patch(client, world, upload_id, 0, BIG_PDF[:65536])

    for wrong in (0, 1000, 131072):
        response = _patch(client, world, upload_id, wrong, BIG_PDF[wrong : wrong + 100])
        assert response.status_code == 409
        assert response.headers["Upload-Offset"] == "65536" and response.json["offset"] == 65536


def test_a_chunk_cut_short_does_not_move_the_offset(client, world, rid, hub):
    import io

    upload_id = _start(client, world, rid).json["upload_id"]
    response = client.patch(
        f"/api/v1/uploads/{upload_id}",
        input_stream=io.BytesIO(BIG_PDF[:1000]),
        headers={**auth_header(world.tokens["c"]), "Upload-Offset": "0"},
        environ_overrides={"CONTENT_LENGTH": "65536"},
    )
    assert response.status_code == 400
    assert hub.uploads.status(world.contributor, upload_id).offset == 0


def test_oversize_chunk_past_the_end_and_missing_header_are_refused(client, world, rid):
    upload_id = _start(client, world, rid).json["upload_id"]
    assert _patch(client, world, upload_id, 0, b"x" * (64 * 1024 + 1)).status_code == 413
    small = _start(client, world, rid, data=b"abc", name="a.txt").json["upload_id"]
    assert _patch(client, world, small, 0, b"abcd").status_code == 400
    no_offset = client.patch(
        f"/api/v1/uploads/{upload_id}", data=b"x", headers=auth_header(world.tokens["c"])
    )
    assert no_offset.status_code == 400
    assert _patch(client, world, upload_id, "-1", b"x").status_code == 400


def test_a_file_over_the_limit_is_refused_at_the_start(client, world, rid, hub):
    hub.config.max_upload_mb = 1
    response = client.post(
        f"/api/v1/resources/{rid}/uploads",
        json={"name": "big.pdf", "size": 2 * 1024 * 1024},
        headers=auth_header(world.tokens["c"]),
    )
    assert response.status_code == 413
    for bad in (
        {"name": "a.pdf", "size": 0},
        {"name": "a.pdf"},
        {"name": "a.pdf", "size": "12"},
        {"name": "a.pdf", "size": 10, "sha256": "nothex"},
    ):
        response = client.post(
            f"/api/v1/resources/{rid}/uploads", json=bad, headers=auth_header(world.tokens["c"])
        )
        assert response.status_code == 422, bad


def test_someone_elses_session_and_unknown_ids_are_404(client, world, rid):
    upload_id = _start(client, world, rid).json["upload_id"]
    for who in ("t", "o"):
        assert _patch(client, world, upload_id, 0, BIG_PDF[:100], who=who).status_code == 404
        assert (
            client.head(
                f"/api/v1/uploads/{upload_id}", headers=auth_header(world.tokens[who])
            ).status_code
            == 404
        )
    assert _patch(client, world, "no-such-upload", 0, b"x").status_code == 404
    assert (
        client.patch(
            f"/api/v1/uploads/{upload_id}", data=b"x", headers={"Upload-Offset": "0"}
        ).status_code
        == 404
    )
    # Starting one needs the right to edit the resource.
    assert _start(client, world, rid, who="t").status_code in (403, 404)


def test_a_finished_session_answers_409_at_its_size(client, world, rid):
    upload_id = _start(client, world, rid).json["upload_id"]
    _send_all(client, world, upload_id, BIG_PDF)

    again = _patch(client, world, upload_id, 0, BIG_PDF[:100])
    assert again.status_code == 409 and again.json["offset"] == len(BIG_PDF)
    status = client.get(f"/api/v1/uploads/{upload_id}", headers=auth_header(world.tokens["c"]))
    assert status.json["complete"] is True and status.json["offset"] == len(BIG_PDF)


def test_wrong_sha256_attaches_nothing_and_ends_the_session(client, world, rid, hub):
    upload_id = _start(client, world, rid, sha256=hashlib.sha256(b"other").hexdigest()).json[
        "upload_id"
    ]
    last = _send_all(client, world, upload_id, BIG_PDF)

    assert last.status_code == 400
    assert hub.resources.get(world.contributor, rid)["files"] == []
    assert _patch(client, world, upload_id, 0, BIG_PDF[:100]).status_code == 404
    assert not hub.uploads.part_path(upload_id).exists()


def test_right_sha256_is_accepted(client, world, rid):
    upload_id = _start(client, world, rid, sha256=hashlib.sha256(BIG_PDF).hexdigest()).json[
        "upload_id"
    ]
    assert _send_all(client, world, upload_id, BIG_PDF).status_code == 201


def test_expired_sessions_are_purged_with_their_partial_files(client, world, rid, hub):
    service = hub.uploads
    old = _start(client, world, rid).json["upload_id"]
    fresh = _start(client, world, rid).json["upload_id"]
    _patch(client, world, old, 0, BIG_PDF[:100])
    with hub.uow() as uow:
        uow.session.get(UploadSession, old).expires = utcnow() - timedelta(minutes=1)
        uow.commit()
    assert _patch(client, world, old, 100, BIG_PDF[100:200]).status_code == 404

    assert service.purge_expired() == 1
    assert not service.part_path(old).exists() and service.part_path(fresh).exists()
    assert service.purge_expired(now=utcnow() + timedelta(hours=25)) == 1
    assert not service.part_path(fresh).exists()


def test_the_protocol_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert "patch" in paths["/api/v1/uploads/{upload_id}"]
    assert "post" in paths["/api/v1/resources/{resource_id}/uploads"]
