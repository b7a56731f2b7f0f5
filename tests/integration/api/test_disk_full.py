"""The embedded hub on a full disk (a small tmpfs as its data directory, filled with a file): every
write answers 503 with Retry-After and a message for the admin, leaves no temp file, no partial
chunk and no row, reads go on working, and the same writes work once the file is removed."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from config import Config
from hub.db.models import Resource
from hub.search.embedded import TantivyIndex
from hub.services import uploads as uploads_module
from tests.factories import auth_header
from tests.resource_factories import PDF_BYTES, make_world, publish, valid_record
from tests.support import disk

pytestmark = pytest.mark.skipif(not disk.can_mount(), reason="mounting a tmpfs needs root")

BIG_PDF = PDF_BYTES + b"%" + os.urandom(3 * 1024 * 1024) + b"\n%%EOF\n"


@pytest.fixture
def data_dir(tmp_path):
    with disk.tmpfs(tmp_path / "var", size_mb=24) as mounted:
        yield mounted


@pytest.fixture
def config(data_dir) -> Config:
    """The embedded defaults, all on the small disk: SQLite, the object store and the index."""
    return Config.from_env(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url="memory://",
        secret_key="disk-full",
        testing=True,
    )


@pytest.fixture
def world(hub):
    return make_world(hub)


@pytest.fixture
def draft(client, world):
    headers = auth_header(world.tokens["c"])
    return client.post("/api/v1/resources", json=valid_record(), headers=headers).json["id"]


@pytest.fixture
def filled(data_dir):
    """The disk full; the test frees it with `disk.free(filled)`."""
    filler = disk.fill(data_dir)
    yield filler
    disk.free(filler)


def _put(client, world, rid, body=PDF_BYTES, name="教案.pdf", **kwargs):
    return client.put(
        f"/api/v1/resources/{rid}/files/{name}",
        data=body,
        headers=auth_header(world.tokens["c"]),
        **kwargs,
    )


def _full(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "5"
    message = response.get_json()["message"]
    assert "磁盘已满" in message and "disk is full" in message and "free space" in message


def _leftovers(data_dir) -> list[str]:
    """Upload temp files and bytes of partial chunks: none may survive a refused write."""
    staged = [p.name for p in (data_dir / "tmp").glob("*")] if (data_dir / "tmp").exists() else []
    parts = [p.name for p in (data_dir / "uploads").glob("*.part") if p.stat().st_size]
    return staged + parts


def test_an_upload_on_a_full_disk_is_503_and_the_same_upload_works_once_space_is_freed(
    client, hub, world, draft, data_dir, filled
):
    keys = set(hub.storage.iter_keys())
    _full(_put(client, world, draft))
    headers = auth_header(world.tokens["c"])
    assert client.get(f"/api/v1/resources/{draft}", headers=headers).json["files"] == []
    assert set(hub.storage.iter_keys()) == keys
    assert _leftovers(data_dir) == []
    disk.free(filled)
    again = _put(client, world, draft)
    assert again.status_code == 201, again.json
    assert hub.storage.exists(hashlib.sha256(PDF_BYTES).hexdigest())


def test_reads_go_on_while_the_disk_is_full(client, hub, world, data_dir):
    record = publish(hub, world)
    hub.outbox.process()  # indexed, as the worker does
    name = record["files"][0]["name"]
    filler = disk.fill(data_dir)
    try:
        download = client.get(f"/api/v1/resources/{record['id']}/files/{name}")
        assert download.status_code == 200
        assert hashlib.sha256(download.data).hexdigest() == record["files"][0]["sha256"]
        assert client.get(f"/api/v1/resources/{record['id']}").status_code == 200
        found = client.get("/api/v1/resources", query_string={"q": "勾股定理"})
        assert found.status_code == 200, found.json
        assert client.get(f"/r/{record['id']}").status_code == 200
    finally:
        disk.free(filler)


def test_a_declared_length_larger_than_the_free_space_is_refused_before_the_body_is_read(
    client, world, draft, data_dir
):
    body = io.BytesIO(PDF_BYTES)
    response = client.put(
        f"/api/v1/resources/{draft}/files/big.pdf",
        input_stream=body,
        headers=auth_header(world.tokens["c"]),
        environ_overrides={"CONTENT_LENGTH": str(100 * 1024 * 1024)},  # 100 MB on a 24 MB disk
    )
    _full(response)
    assert body.tell() == 0  # not a byte read
    assert _leftovers(data_dir) == []


def test_a_body_without_a_length_that_runs_out_midway_leaves_no_temp_file(
    client, hub, world, draft, data_dir
):
    filler = disk.fill(data_dir, leave=1024 * 1024)  # room for a third of the body
    try:
        response = client.put(
            f"/api/v1/resources/{draft}/files/big.pdf",
            input_stream=io.BytesIO(BIG_PDF),
            headers={**auth_header(world.tokens["c"]), "Transfer-Encoding": "chunked"},
        )
        _full(response)
        assert _leftovers(data_dir) == []
    finally:
        disk.free(filler)
    assert not hub.storage.exists(hashlib.sha256(BIG_PDF).hexdigest())
    assert _put(client, world, draft, BIG_PDF, "big.pdf").status_code == 201


def test_a_resumable_upload_that_runs_out_midway_resumes_from_the_offset_the_hub_reports(
    client, world, draft, data_dir, monkeypatch
):
    monkeypatch.setattr(uploads_module, "CHUNK_SIZE", 1024 * 1024)
    headers = auth_header(world.tokens["c"])
    started = client.post(
        f"/api/v1/resources/{draft}/uploads",
        json={"name": "课件.pdf", "size": len(BIG_PDF)},
        headers=headers,
    )
    assert started.status_code == 201, started.json
    upload = started.json["upload_id"]
    chunks = [BIG_PDF[i : i + 1024 * 1024] for i in range(0, len(BIG_PDF), 1024 * 1024)]
    assert _patch(client, headers, upload, 0, chunks[0]).status_code in (200, 204)
    filler = disk.fill(data_dir, leave=512 * 1024)  # half of the next chunk fits
    try:
        _full(_patch(client, headers, upload, len(chunks[0]), chunks[1]))
        assert _leftovers(data_dir) == [f"{upload}.part"]  # the first chunk, and no more
        assert (data_dir / "uploads" / f"{upload}.part").stat().st_size == len(chunks[0])
    finally:
        disk.free(filler)
    status = client.get(f"/api/v1/uploads/{upload}", headers=headers)
    offset = int(status.headers.get("Upload-Offset") or status.json["offset"])
    assert offset == len(chunks[0])
    for chunk in chunks[1:]:
        last = _patch(client, headers, upload, offset, chunk)
        assert last.status_code in (200, 201, 204), last.get_data(as_text=True)
        offset += len(chunk)
    files = client.get(f"/api/v1/resources/{draft}", headers=headers).json["files"]
    assert [f["sha256"] for f in files] == [hashlib.sha256(BIG_PDF).hexdigest()]


def _patch(client, headers, upload, offset, chunk):
    return client.patch(
        f"/api/v1/uploads/{upload}",
        data=chunk,
        headers={
            **headers,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
    )


def test_database_writes_on_a_full_disk_are_503_and_leave_no_row(client, hub, world, data_dir):
    headers = auth_header(world.tokens["c"])
    before = _count(hub)
    filler = disk.fill(data_dir)
    try:
        answers = []
        for _ in range(50):  # SQLite's journal may have room for a first few rows
            answers.append(client.post("/api/v1/resources", json=valid_record(), headers=headers))
            if answers[-1].status_code != 201:
                break
        _full(answers[-1])
        assert _count(hub) == before + len(answers) - 1
    finally:
        disk.free(filler)
    again = client.post("/api/v1/resources", json=valid_record(), headers=headers)
    assert again.status_code == 201
    assert _count(hub) == before + len(answers)


def _count(hub) -> int:
    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(Resource))


def test_the_usage_writer_keeps_its_events_through_a_full_disk(hub, world, data_dir):
    record = publish(hub, world)
    filler = disk.fill(data_dir)
    try:
        with pytest.raises(OperationalError, match="disk is full"):
            for n in range(50):  # SQLite's journal may have room for a first few batches
                hub.usage.record("view", ip=f"10.0.{n}.1", user_agent="t", resource_id=record["id"])
                waiting = len(hub.usage.buffer)
                hub.usage.flush()
        assert len(hub.usage.buffer) == waiting  # put back, not lost
    finally:
        disk.free(filler)
    assert hub.usage.flush() == waiting
    assert len(hub.usage.buffer) == 0


def test_a_resumable_upload_whose_last_step_runs_out_is_finished_by_an_empty_chunk(
    client, world, draft, data_dir, monkeypatch
):
    """The last chunk fits but copying the whole file into the store does not: 503, every byte
    kept, and an empty chunk at the final offset finishes it once space is freed."""
    monkeypatch.setattr(uploads_module, "CHUNK_SIZE", 1024 * 1024)
    headers = auth_header(world.tokens["c"])
    upload = client.post(
        f"/api/v1/resources/{draft}/uploads",
        json={"name": "课件.pdf", "size": len(BIG_PDF)},
        headers=headers,
    ).json["upload_id"]
    chunks = [BIG_PDF[i : i + 1024 * 1024] for i in range(0, len(BIG_PDF), 1024 * 1024)]
    for n, chunk in enumerate(chunks[:-1]):
        assert _patch(client, headers, upload, n * 1024 * 1024, chunk).status_code == 204
    filler = disk.fill(data_dir, leave=len(chunks[-1]) + 256 * 1024)
    try:
        _full(_patch(client, headers, upload, len(BIG_PDF) - len(chunks[-1]), chunks[-1]))
        assert [p.name for p in (data_dir / "tmp").glob("*")] == []
    finally:
        disk.free(filler)
    done = client.patch(
        f"/api/v1/uploads/{upload}",
        data=b"",
        headers={**headers, "Upload-Offset": str(len(BIG_PDF))},
        environ_overrides={"CONTENT_LENGTH": "0"},  # as an HTTP client sends an empty body
    )
    assert done.status_code == 201, done.json
    assert done.json["sha256"] == hashlib.sha256(BIG_PDF).hexdigest()


def _doc(n: int) -> dict:
    return {"id": f"doc-{n}", "version": "1", "title": f"第{n}课", "status": "published"}


def test_the_search_index_takes_a_new_writer_after_a_commit_the_disk_refused(data_dir):
    """Found by the faulted load run: tantivy's writer, once a commit failed for space, went on
    "committing" nothing, and 18 records published after the disk was freed were never found."""
    index = TantivyIndex(data_dir / "index")
    index.ensure()
    index.index_documents([_doc(1)])
    index.commit()
    filler = disk.fill(data_dir)
    try:
        with pytest.raises(ValueError):
            index.index_documents([_doc(2)])
            index.commit()
    finally:
        disk.free(filler)
    for n in (2, 3):  # the outbox's retry of the refused batch, then the next one
        index.index_documents([_doc(n)])
        index.commit()
    assert index.index().searcher().num_docs == 3
