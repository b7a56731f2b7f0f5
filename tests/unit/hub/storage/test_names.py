"""File-name sanitising and the Content-Disposition header."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import ValidationFailed
from hub.storage.names import content_disposition, sanitise_filename


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("C:\\Users\\老师\\课件.pptx", "课件.pptx"),
        ("/var/www/教案.docx", "教案.docx"),
    ],
)
def test_path_components_are_dropped(raw, clean):
    assert sanitise_filename(raw) == clean


def test_control_and_direction_override_characters_are_removed():
    # U+202E would make "report\u202efdp.exe" display as "reportexe.pdf".
    assert sanitise_filename("a\x00b\x1fc\u202efdp.exe") == "abcfdp.exe"


def test_hidden_file_names_lose_their_leading_dots():
    assert sanitise_filename(".htaccess") == "htaccess"
    assert sanitise_filename(" . .bashrc") == "bashrc"


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT1.doc", "_LPT1.doc"),
        ("console.txt", "console.txt"),
    ],
)
def test_reserved_windows_names_are_defused(raw, clean):
    assert sanitise_filename(raw) == clean


def test_trailing_dots_and_spaces_and_forbidden_characters_go():
    assert sanitise_filename("notes. . ") == "notes"
    assert sanitise_filename('a:b*c?"d".txt') == "a_b_c__d_.txt"


def test_chinese_names_stay_chinese_and_whitespace_is_plain():
    assert sanitise_filename("第一课\u3000黄河文化\t课件.pptx") == "第一课 黄河文化 课件.pptx"


def test_names_are_nfc():
    assert sanitise_filename("e\u0301te\u0301.txt") == "\u00e9t\u00e9.txt"


def test_long_names_are_cut_to_255_bytes_keeping_the_extension():
    clean = sanitise_filename("宁夏" * 200 + ".pptx")
    assert clean.endswith(".pptx")
    assert len(clean.encode()) <= 255
    assert clean.startswith("宁夏宁夏")


@pytest.mark.parametrize("raw", ["", "...", " ", "../", "\x00\x01", "\u202e", "//\\\\"])
def test_nothing_usable_left_is_a_validation_error_naming_the_field(raw):
    with pytest.raises(ValidationFailed) as raised:
        sanitise_filename(raw)
    assert raised.value.errors[0]["field"] == "name"
    assert "文件名" in raised.value.message


@given(st.text(max_size=400))
def test_sanitised_names_are_always_safe(raw):
    try:
        clean = sanitise_filename(raw)
    except ValidationFailed:
        return
    assert "/" not in clean and "\\" not in clean
    assert not any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in clean)
    assert not clean.startswith(".")
    assert unicodedata.is_normalized("NFC", clean)
    assert 0 < len(clean.encode("utf-8")) <= 255
    assert sanitise_filename(clean) == clean


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    header = content_disposition("第一课 黄河文化.docx")
    assert header.startswith('attachment; filename="download.docx"; ')
    assert header.endswith(
        "filename*=UTF-8''%E7%AC%AC%E4%B8%80%E8%AF%BE%20%E9%BB%84%E6%B2%B3%E6%96%87%E5%8C%96.docx"
    )


def test_content_disposition_inline_and_quotes_are_escaped():
    header = content_disposition('Lesson "1".pdf', inline=True)
    assert header.startswith('inline; filename="Lesson _1_.pdf"; ')


@given(st.text(min_size=1, max_size=100))
def test_content_disposition_is_one_ascii_header_line_that_round_trips(name):
    header = content_disposition(name)
    assert header.isascii() and "\n" not in header and "\r" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert "\\" not in fallback and "%" not in fallback
    assert unquote(header.split("filename*=UTF-8''", 1)[1], errors="strict") == name
