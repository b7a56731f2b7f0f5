"""Preview images made by the outbox worker: real PDFs, images and hostile files, stored like any
other object."""

from __future__ import annotations

import io
import logging

from PIL import Image
from sqlalchemy import select

from hub.db.models import Preview


def png_bytes(size=(1200, 800), color=(200, 30, 30), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 600), (10, 120, 200)).save(buf, "PDF")
    return buf.getvalue()


def row(hub, sha256) -> Preview | None:
    with hub.db.session() as session:
        found = session.get(Preview, sha256)
        if found is not None:
            session.expunge(found)
        return found


def stored_image(hub, row_: Preview) -> Image.Image:
    with hub.storage.open(row_.preview_sha256) as fh:
        img = Image.open(io.BytesIO(fh.read()))
        img.load()
        return img


def test_image_preview_is_scaled_to_640_and_stored_as_an_object(hub):
    sha = hub.storage.put_bytes(png_bytes(), "image/png")
    assert hub.previews.make(sha, "image/png") is True
    found = row(hub, sha)
    assert (found.kind, found.width, found.height) == ("image", 640, 427)
    img = stored_image(hub, found)
    assert img.size == (640, 427) and img.format == "PNG"
    assert img.getpixel((10, 10)) == (200, 30, 30)


def test_first_page_of_a_pdf_becomes_a_preview(hub):
    sha = hub.storage.put_bytes(pdf_bytes(), "application/pdf")
    hub.previews.make(sha, "application/pdf")
    found = row(hub, sha)
    assert found.kind == "pdf" and max(found.width, found.height) == 640
    assert stored_image(hub, found).size == (found.width, found.height)


def test_previews_are_made_once_per_source_sha256(hub):
    sha = hub.storage.put_bytes(png_bytes(), "image/png")
    assert hub.previews.make(sha, "image/png") is True
    assert hub.previews.make(sha, "image/png") is False
    with hub.db.session() as session:
        assert len(session.scalars(select(Preview)).all()) == 1


def test_a_broken_pdf_ends_with_no_preview_and_a_warning(hub, caplog):
    sha = hub.storage.put_bytes(
        b"%PDF-1.4\nthis is not really a pdf\x00\xff" * 50, "application/pdf"
    )
    with caplog.at_level(logging.WARNING, logger="hub.services.previews"):
        assert hub.previews.make(sha, "application/pdf") is True
    found = row(hub, sha)
    assert found.preview_sha256 is None and found.kind == "none"
    assert "no preview" in caplog.text


def test_a_decompression_bomb_image_ends_with_no_preview(hub, caplog):
    bomb = png_bytes(size=(12000, 12000), color=0, mode="1")  # small file, 144 million pixels
    assert len(bomb) < 1_000_000
    sha = hub.storage.put_bytes(bomb, "image/png")
    with caplog.at_level(logging.WARNING, logger="hub.services.previews"):
        hub.previews.make(sha, "image/png")
    assert row(hub, sha).preview_sha256 is None
    assert "no preview" in caplog.text


def test_garbage_named_as_an_image_ends_with_no_preview(hub):
    sha = hub.storage.put_bytes(b"not an image at all", "image/jpeg")
    hub.previews.make(sha, "image/jpeg")
    assert row(hub, sha).preview_sha256 is None


def test_video_and_audio_are_skipped_without_rendering(hub):
    sha = hub.storage.put_bytes(b"\x00\x00\x00\x18ftypmp42", "video/mp4")
    hub.previews.make(sha, "video/mp4")
    assert row(hub, sha).kind == "none"


def test_the_outbox_makes_previews_of_uploaded_files(hub):
    from tests.resource_factories import make_world, valid_record

    world = make_world(hub)
    record = hub.resources.create(world.contributor, valid_record())
    data = png_bytes()
    stored = hub.files.upload(
        world.contributor, record["id"], "封面.png", io.BytesIO(data), content_length=len(data)
    )
    hub.outbox.process()
    assert row(hub, stored["sha256"]).width == 640
    assert hub.previews.by_resource([record["id"]])[record["id"]].kind == "image"
    assert hub.outbox.pending() == 0
