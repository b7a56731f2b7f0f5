"""Slide and lesson-plan previews rendered by a real LibreOffice: first slide only, broken files,
timeouts, and the fallback when LibreOffice is not installed."""

from __future__ import annotations

import io
import logging
import os
import tempfile
import time
from pathlib import Path

import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from PIL import Image

from hub.db.models import Preview
from hub.services import office_render, previews
from hub.storage.sniff import ALLOWED
from tests.support import need
from tests.unit.connectors.national.loopback import serve

RED, BLUE = (220, 20, 20), (20, 20, 220)
# Conversions take seconds: tests that only need some database for the preview row use SQLite alone.
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def libreoffice():
    if office_render.soffice() is None:
        need(
            "LibreOffice",
            "install libreoffice-impress-nogui and libreoffice-writer-nogui (make test does)",
        )


def deck_bytes(colours=(RED, BLUE)) -> bytes:
    """A real PPTX: each slide one full-slide rectangle of its colour, with a line of text."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE

    deck = Presentation()
    for number, colour in enumerate(colours, 1):
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        shape = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, 0, 0, deck.slide_width, deck.slide_height
        )
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor(*colour)
        shape.text_frame.text = f"第{number}页 有理数的加法"
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue()


def dominant_colour(png: bytes) -> tuple[int, int, int]:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return max(img.getcolors(img.width * img.height))[1]


def close_to(colour, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def soffice_processes_under(folder: Path) -> list[int]:
    """Live (non-zombie) processes whose command line mentions `folder` (the throwaway profile lives
    there)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if str(folder).encode() in cmdline:
            found.append(int(pid))
    return found


def test_every_office_format_rendered_is_an_allowed_upload_type():
    assert set(office_render.FORMATS) <= {mimetype for mimetype, _ in ALLOWED.values()}


@ON_SQLITE
def test_the_worker_previews_an_uploaded_pptx_by_its_first_slide(libreoffice, hub):
    from tests.resource_factories import make_world, valid_record

    world = make_world(hub)
    record = hub.resources.create(world.contributor, valid_record())
    data = deck_bytes()
    stored = hub.files.upload(
        world.contributor, record["id"], "课件.pptx", io.BytesIO(data), content_length=len(data)
    )
    hub.outbox.process()
    found = hub.previews.by_resource([record["id"]])[record["id"]]
    assert found.sha256 == stored["sha256"] and found.kind == "slide"
    assert (
        max(found.width, found.height) == previews.SIZE and found.width > found.height
    )  # a 4:3 slide
    with hub.storage.open(found.preview_sha256) as fh:
        png = fh.read()
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.size == (found.width, found.height)
    assert close_to(dominant_colour(png), RED)  # slide 1, not slide 2
    assert hub.outbox.pending() == 0


def test_a_docx_lesson_plan_previews_its_first_page_without_following_links(libreoffice, tmp_path):
    local = tmp_path / "secret.png"
    Image.new("RGB", (800, 800), RED).save(local)
    with serve(lambda *request: (404, b"")) as (url, requests):
        data = docx_linking([local.as_uri(), url + "/internal.png"])
        rendered = previews.render(write(tmp_path, "教案.docx", data), DOCX)
    assert rendered.kind == "document"
    assert rendered.height == previews.SIZE and rendered.width < rendered.height  # a portrait page
    assert close_to(dominant_colour(rendered.png), (255, 255, 255))  # paper with some ink
    assert requests == []  # a document must not make the worker fetch URLs
    img = Image.open(io.BytesIO(rendered.png)).convert("RGB")
    assert not any(
        close_to(colour, RED) for _, colour in img.getcolors(img.width * img.height)
    )  # nor read files


def docx_linking(targets: list[str]) -> bytes:
    """A lesson plan whose pictures are links to `targets` instead of embedded images."""
    import docx

    document = docx.Document()
    document.add_heading("《有理数的加法》教学设计", level=1)
    document.add_paragraph("教学目标：理解有理数加法法则。" * 20)
    picture = io.BytesIO()
    Image.new("RGB", (40, 40), (255, 255, 255)).save(picture, "PNG")
    for target in targets:
        run_picture = document.add_paragraph().add_run().add_picture(io.BytesIO(picture.getvalue()))
        blip = run_picture._inline.graphic.graphicData.pic.blipFill.blip
        blip.set(qn("r:link"), document.part.relate_to(target, RT.IMAGE, is_external=True))
        del blip.attrib[qn("r:embed")]
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@ON_SQLITE
def test_a_corrupt_pptx_ends_with_no_preview_and_a_warning(libreoffice, hub, caplog):
    sha = hub.storage.put_bytes(b"PK\x03\x04" + bytes(range(256)) * 20, previews.PPTX)
    with caplog.at_level(logging.WARNING, logger="hub.services.previews"):
        assert hub.previews.make(sha, previews.PPTX) is True
    with hub.db.session() as session:
        found = session.get(Preview, sha)
        assert found.kind == "none" and found.preview_sha256 is None
    assert "no preview" in caplog.text and "ConversionFailed" in caplog.text


def test_a_conversion_past_the_timeout_ends_with_no_preview_and_no_soffice_left(
    libreoffice, hub, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(
        office_render, "TIMEOUT", 1.0
    )  # a fresh LibreOffice needs seconds just to start
    monkeypatch.setattr(
        tempfile, "tempdir", str(tmp_path)
    )  # so its processes can be told from any others
    sha = hub.storage.put_bytes(deck_bytes(), previews.PPTX)
    with caplog.at_level(logging.WARNING, logger="hub.services.previews"):
        hub.previews.make(sha, previews.PPTX)
    with hub.db.session() as session:
        assert session.get(Preview, sha).preview_sha256 is None
    assert "took longer than 1.0s" in caplog.text
    for _ in range(50):  # SIGKILLed processes take a moment to vanish from /proc
        if not soffice_processes_under(tmp_path):
            break
        time.sleep(0.1)
    assert soffice_processes_under(tmp_path) == []


def test_without_libreoffice_a_pptx_falls_back_to_its_first_picture_and_says_so_once(
    hub, monkeypatch, caplog
):
    monkeypatch.setattr(office_render.shutil, "which", lambda name: None)
    monkeypatch.setattr(previews, "_told_no_libreoffice", False)
    picture = io.BytesIO()
    Image.new("RGB", (320, 240), (0, 128, 0)).save(picture, "PNG")
    shas = [
        hub.storage.put_bytes(deck_with_picture(picture.getvalue(), n), previews.PPTX)
        for n in (1, 2)
    ]
    with caplog.at_level(logging.INFO, logger="hub.services.previews"):
        for sha in shas:
            hub.previews.make(sha, previews.PPTX)
    with hub.db.session() as session:
        found = [session.get(Preview, sha) for sha in shas]
        assert [(p.kind, p.width, p.height) for p in found] == [("pptx", 320, 240)] * 2
    assert caplog.text.count("need LibreOffice") == 1


def test_without_libreoffice_a_docx_has_no_preview(hub, monkeypatch):
    monkeypatch.setattr(office_render.shutil, "which", lambda name: None)
    sha = hub.storage.put_bytes(docx_linking([]), DOCX)
    hub.previews.make(sha, DOCX)
    with hub.db.session() as session:
        assert session.get(Preview, sha).kind == "none"


def deck_with_picture(png: bytes, salt: int) -> bytes:
    """Just enough of a PPTX for the fallback: slide 1 links one picture (salt makes the bytes
    differ)."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ppt/slides/slide1.xml", f"<p:sld n='{salt}'/>")
        zf.writestr(
            "ppt/slides/_rels/slide1.xml.rels",
            '<Relationships><Relationship Id="rId2" Target="../media/image1.png"/></Relationships>',
        )
        zf.writestr("ppt/media/image1.png", png)
    return buf.getvalue()
