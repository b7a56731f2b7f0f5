"""Decompression bombs uploaded as teaching files: stopped by the sandbox, marked failed, not
retried (issue 9: an 83 KB DOCX once took 95 s of CPU and 1.8 GB; LibreOffice reached 3.9 GB)."""

from __future__ import annotations

import io

import pytest

from hub import sandbox
from hub.db.models import FileText, OutboxMessage, Preview
from hub.services import office_render
from tests.resource_factories import make_world, valid_record
from tests.support import need
from tests.support.sandbox import docx_bomb, png_bomb, pptx_bomb

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def world(hub):
    return make_world(hub)


def upload(hub, world, name: str, data: bytes) -> str:
    record = hub.resources.create(world.contributor, valid_record(title="第三单元"))
    stored = hub.files.upload(
        world.contributor, record["id"], name, io.BytesIO(data), content_length=len(data)
    )
    return stored["sha256"]


def outbox_rows(hub, sha256: str) -> list[OutboxMessage]:
    with hub.db.session() as session:
        rows = session.query(OutboxMessage).all()
        return [m for m in rows if (m.payload or {}).get("sha256") == sha256]


@pytest.mark.parametrize(
    "name, make", [("教案.docx", docx_bomb), ("课件.pptx", pptx_bomb)], ids=["docx", "pptx"]
)
def test_an_office_zip_bomb_is_refused_from_its_directory_and_never_retried(hub, world, name, make):
    if office_render.soffice() is None:
        need("LibreOffice", "soffice is not on PATH")
    sha256 = upload(hub, world, name, make())
    hub.outbox.process()

    with hub.db.session() as session:
        preview, text = session.get(Preview, sha256), session.get(FileText, sha256)
    assert (preview.kind, preview.preview_sha256) == ("failed-size", None)
    assert "unpacks to 2048 MB" in preview.failure
    assert text.text == "" and text.failure.startswith("size: ZIP unpacks to 2048 MB")
    messages = outbox_rows(hub, sha256)
    assert {m.topic for m in messages} == {"file.extract", "file.preview", "file.rendition"}
    assert all(m.processed is not None and m.attempts == 1 for m in messages)
    assert hub.outbox.process() == 0
    assert hub.previews.make(sha256, DOCX) is False


def test_a_png_declaring_ten_billion_pixels_is_marked_failed_and_never_retried(hub, world):
    sha256 = upload(hub, world, "封面.png", png_bomb())
    hub.outbox.process()

    with hub.db.session() as session:
        found = session.get(Preview, sha256)
        assert (found.kind, found.preview_sha256) == ("failed-size", None)
    assert all(m.processed is not None for m in outbox_rows(hub, sha256))
    assert hub.outbox.process() == 0


def test_an_image_past_the_memory_limit_is_stopped_and_marked_failed(hub, monkeypatch):
    # Pixel limit off: only the address-space limit stands between this image and the worker.
    monkeypatch.setenv("EDUHUB_SANDBOX_MAX_PIXELS", str(10**12))
    monkeypatch.setenv("EDUHUB_SANDBOX_MEMORY_MB", "400")
    sha256 = hub.storage.put_bytes(png_bomb(40_000, 40_000), "image/png")

    assert hub.previews.make(sha256, "image/png") is True
    with hub.db.session() as session:
        assert session.get(Preview, sha256).kind == "failed-memory"


def test_an_office_conversion_past_its_deadline_is_marked_failed_time(hub, monkeypatch):
    if office_render.soffice() is None:
        need("LibreOffice", "soffice is not on PATH")
    import docx

    monkeypatch.setattr(office_render, "TIMEOUT", 0.5)  # LibreOffice needs seconds just to start
    buf = io.BytesIO()
    docx.Document().save(buf)
    sha256 = hub.storage.put_bytes(buf.getvalue(), DOCX)

    hub.previews.make(sha256, DOCX)
    with hub.db.session() as session:
        assert session.get(Preview, sha256).kind == "failed-time"


def test_the_zip_check_reads_only_the_central_directory(tmp_path):
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_bomb())
    with pytest.raises(sandbox.LimitExceeded) as caught:
        sandbox.check_zip(path)
    assert caught.value.reason == "size" and "unpacks to 2048 MB" in str(caught.value)
