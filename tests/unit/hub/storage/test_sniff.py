"""Content sniffing: the allow-list of teaching formats, and files whose content contradicts their
name."""

from __future__ import annotations

import io
import struct
import wave
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.errors import UnsupportedMediaType
from hub.storage.sniff import ALLOWED, sniff_type

OOXML = "application/vnd.openxmlformats-officedocument."


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / "body"
    path.write_bytes(data)
    return path


def sniff(tmp_path, name: str, data: bytes) -> str:
    return sniff_type(write(tmp_path, name, data), name)


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("黄河文化 第一课")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pptx_bytes() -> bytes:
    import pptx

    presentation = pptx.Presentation()
    presentation.slides.add_slide(presentation.slide_layouts[0]).shapes.title.text = "课件"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "成绩"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def image_bytes(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, fmt)
    return buffer.getvalue()


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(8000)
        out.writeframes(b"\0\0" * 100)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 54 + b"PE\0\0" + b"\0" * 100
ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 100
MP4 = struct.pack(">I", 24) + b"ftypisom\0\0\x02\0isomiso2" + b"\0" * 64


@pytest.mark.parametrize(
    "name, make, mimetype",
    [
        ("教案.docx", docx_bytes, OOXML + "wordprocessingml.document"),
        ("课件.pptx", pptx_bytes, OOXML + "presentationml.presentation"),
        ("成绩.xlsx", xlsx_bytes, OOXML + "spreadsheetml.sheet"),
        ("a.pdf", lambda: PDF, "application/pdf"),
        ("old.doc", lambda: OLE2, "application/msword"),
        ("old.xls", lambda: OLE2, "application/vnd.ms-excel"),
        ("old.ppt", lambda: OLE2, "application/vnd.ms-powerpoint"),
        ("wps.wps", lambda: OLE2, "application/wps-office.wps"),
        ("p.png", lambda: image_bytes("PNG"), "image/png"),
        ("p.JPG", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("p.gif", lambda: image_bytes("GIF"), "image/gif"),
        ("p.webp", lambda: image_bytes("WEBP"), "image/webp"),
        ("p.bmp", lambda: image_bytes("BMP"), "image/bmp"),
        ("p.tiff", lambda: image_bytes("TIFF"), "image/tiff"),
        ("a.wav", wav_bytes, "audio/wav"),
        ("a.mp3", lambda: b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\0" * 50, "audio/mpeg"),
        ("a.mp3", lambda: b"\xff\xfb\x90\x00" + b"\0" * 50, "audio/mpeg"),
        ("a.aac", lambda: b"\xff\xf1\x50\x80" + b"\0" * 50, "audio/aac"),
        ("a.ogg", lambda: b"OggS\0\x02" + b"\0" * 50, "audio/ogg"),
        ("a.flac", lambda: b"fLaC\0\0\0\x22" + b"\0" * 50, "audio/flac"),
        ("v.mp4", lambda: MP4, "video/mp4"),
        ("v.mov", lambda: MP4, "video/quicktime"),
        ("a.m4a", lambda: MP4, "audio/mp4"),
        ("v.webm", lambda: b"\x1a\x45\xdf\xa3" + b"\0" * 50, "video/webm"),
        ("a.rtf", lambda: b"{\\rtf1\\ansi hello}", "application/rtf"),
        (
            "book.epub",
            lambda: zip_bytes(
                {"mimetype": "application/epub+zip", "META-INF/container.xml": "<c/>"}
            ),
            "application/epub+zip",
        ),
        (
            "doc.odt",
            lambda: zip_bytes(
                {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}
            ),
            "application/vnd.oasis.opendocument.text",
        ),
        (
            "quiz.h5p",
            lambda: zip_bytes({"h5p.json": "{}", "content/content.json": "{}"}),
            "application/vnd.h5p",
        ),
        ("pack.zip", lambda: zip_bytes({"a.txt": "x"}), "application/zip"),
    ],
)
def test_allowed_formats_get_their_mimetype(tmp_path, name, make, mimetype):
    assert sniff(tmp_path, name, make()) == mimetype


@pytest.mark.parametrize(
    "name, data, charset",
    [
        ("笔记.txt", "黄河文化，宁夏。".encode(), "utf-8"),
        ("笔记.txt", "黄河文化，宁夏。".encode("gb18030"), "gb18030"),
        ("笔记.txt", "\ufeff黄河".encode("utf-16-le"), "utf-16"),
        ("名单.csv", "姓名,成绩\n张三,95\n".encode("gb18030"), "gb18030"),
        ("字幕.srt", "1\n00:00:01,000 --> 00:00:02,000\n你好\n".encode(), "utf-8"),
        ("empty.txt", b"", "utf-8"),
    ],
)
def test_text_in_utf8_gb18030_or_utf16_is_accepted_with_its_charset(tmp_path, name, data, charset):
    assert sniff(tmp_path, name, data).endswith(f"; charset={charset}")


def test_a_text_file_that_starts_like_a_bitmap_is_still_text(tmp_path):
    assert sniff(tmp_path, "bmi.txt", b"BMI of the class: 20.1\n") == "text/plain; charset=utf-8"


def test_a_pdf_without_an_extension_is_recognised_by_content(tmp_path):
    assert sniff(tmp_path, "scan", PDF) == "application/pdf"


@pytest.mark.parametrize(
    "name, make",
    [
        ("report.pdf", lambda: EXE),
        ("report.pdf", lambda: ELF),
        ("slides.pptx", lambda: b"\xcf\xfa\xed\xfe" + b"\0" * 60),
        ("notes.txt", lambda: b"#!/bin/sh\nrm -rf /\n"),
        ("notes.txt", lambda: b"<!DOCTYPE html><script>alert(1)</script>"),
        ("setup.exe", lambda: EXE),
    ],
)
def test_programs_and_scripts_are_refused_whatever_their_name(tmp_path, name, make):
    with pytest.raises(UnsupportedMediaType) as raised:
        sniff(tmp_path, name, make())
    assert "程序或脚本" in raised.value.message and "Allowed" in raised.value.message


@pytest.mark.parametrize(
    "name, make",
    [
        ("report.pdf", lambda: zip_bytes({"a.txt": "x"})),
        ("report.pdf", lambda: image_bytes("PNG")),
        ("教案.docx", lambda: PDF),
        (
            "教案.docx",
            lambda: zip_bytes(
                {
                    "[Content_Types].xml": "application/vnd.ms-word.document.macroEnabled.main+xml",
                    "word/document.xml": "<x/>",
                }
            ),
        ),
        ("成绩.xlsx", docx_bytes),
        ("名单.csv", xlsx_bytes),
        ("notes.txt", lambda: b"\x00\x01\x02binary"),
        ("notes.txt", lambda: b"\xff\xfe\x00"),
        ("a.mp3", lambda: PDF),
        ("broken.zip", lambda: b"PK\x03\x04 not really a zip"),
    ],
)
def test_content_that_contradicts_the_extension_is_refused(tmp_path, name, make):
    with pytest.raises(UnsupportedMediaType) as raised:
        sniff(tmp_path, name, make())
    assert "不符" in raised.value.message and "does not match" in raised.value.message


@pytest.mark.parametrize(
    "name, data",
    [
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("page.html", b"<p>hi</p>"),
        ("tool.exe", b"hello"),
        ("video.avi", b"RIFF\0\0\0\0AVI LIST"),
        ("noext", b"just some words"),
    ],
)
def test_formats_off_the_allow_list_are_refused_naming_the_allowed_ones(tmp_path, name, data):
    with pytest.raises(UnsupportedMediaType) as raised:
        sniff(tmp_path, name, data)
    assert "允许的类型" in raised.value.message and "Allowed:" in raised.value.message


@given(
    data=st.binary(max_size=600),
    name=st.sampled_from(["a.pdf", "a.txt", "a.docx", "a.mp3", "a", "a.zip"]),
)
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_bytes_either_get_an_allowed_type_or_a_415(tmp_path, data, name):
    try:
        mimetype = sniff(tmp_path, name, data)
    except UnsupportedMediaType:
        return
    assert mimetype.split(";")[0] in {m for m, _ in ALLOWED.values()}
