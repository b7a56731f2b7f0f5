"""Text from real (small) PDF, DOCX, PPTX, XLSX and text files, extracted by the worker and made
searchable."""

from __future__ import annotations

import io

import pytest

from hub.security.principal import ANONYMOUS
from hub.services.extract import extract_text
from tests.resource_factories import make_world, valid_record


def make_pdf(text: str) -> bytes:
    """A one-page PDF with `text` in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 400 200]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(
        b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def make_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "表格", "单元格"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pptx(text: str) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "第一张幻灯片"
    slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1)).text_frame.text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def make_xlsx(text: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["题号", text, 3.5])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    "make, mimetype, text",
    [
        (make_pdf, "application/pdf", "Pythagorean theorem proof"),
        (make_docx, DOCX, "光合作用的实验步骤"),
        (make_pptx, PPTX, "电磁感应现象"),
        (make_xlsx, XLSX, "等差数列求和"),
        (lambda t: t.encode("gb18030"), "text/plain", "丝绸之路的历史"),
    ],
)
def test_each_format_gives_its_text(make, mimetype, text):
    assert text in extract_text(io.BytesIO(make(text)), mimetype)


def test_type_is_taken_from_the_name_when_the_mimetype_is_vague():
    data = make_docx("质量守恒定律")
    assert "质量守恒定律" in extract_text(io.BytesIO(data), "application/octet-stream", "实验.docx")


def test_text_is_capped_and_damaged_files_give_nothing():
    assert (
        len(extract_text(io.BytesIO(("分数" * 100_000).encode()), "text/plain", cap=1000)) == 1000
    )
    assert extract_text(io.BytesIO(b"PK\x03\x04 not really a zip"), DOCX) == ""
    assert extract_text(io.BytesIO(b"\x00\x01"), "image/png") == ""


def test_words_only_in_a_file_become_searchable_after_the_worker_runs(hub):
    world = make_world(hub)
    record = hub.resources.create(
        world.contributor, valid_record(title="第五单元课件", keywords=[])
    )
    data = make_pptx("楞次定律与电磁感应")
    hub.files.upload(
        world.contributor, record["id"], "第五单元.pptx", io.BytesIO(data), content_length=len(data)
    )
    hub.resources.act(world.contributor, record["id"], "submit")
    hub.resources.act(world.reviewer, record["id"], "publish", comment="好")
    hub.outbox.process()
    hits = hub.search.search(ANONYMOUS, q="楞次定律")["hits"]
    assert [h["id"] for h in hits] == [record["id"]]
