"""Register files: encodings, headers, limits, and cells made safe for a spreadsheet on export."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import ValidationFailed
from hub.services import orgs_files
from hub.services.orgs_files import read_rows, safe_cell, write_csv
from hub.services.orgs_register import COLUMNS

TEXT = "学校标识码,代码,名称\n1164000001,s1,银川市示例小学\n"


@pytest.mark.parametrize(
    "data",
    [TEXT.encode("utf-8"), TEXT.encode("utf-8-sig"), TEXT.encode("gb18030")],
    ids=["utf-8", "utf-8 with BOM", "GB18030 (Excel in China)"],
)
def test_utf8_with_or_without_bom_and_gb18030_read_alike(data):
    [row] = read_rows(data, "r.csv", COLUMNS)
    assert row.line == 2
    assert row.values == {"school_id": "1164000001", "code": "s1", "name": "银川市示例小学"}


def test_utf16_is_refused_with_what_to_do():
    with pytest.raises(ValidationFailed, match="UTF-8"):
        read_rows(TEXT.encode("utf-16"), "r.csv", COLUMNS)


def test_a_header_that_means_nothing_names_the_columns_it_wants():
    with pytest.raises(ValidationFailed, match="school_id"):
        read_rows(b"foo,bar\n1,2\n", "r.csv", COLUMNS)


def test_a_column_given_twice_is_refused():
    with pytest.raises(ValidationFailed, match="code"):
        read_rows(b"code,\xe4\xbb\xa3\xe7\xa0\x81\na,b\n", "r.csv", COLUMNS)


def test_too_many_rows_and_too_many_bytes_are_refused(monkeypatch):
    monkeypatch.setattr(orgs_files, "MAX_ROWS", 10)
    with pytest.raises(ValidationFailed, match="10"):
        read_rows(b"code,name\n" + b"a1,b\n" * 11, "r.csv", COLUMNS)
    monkeypatch.setattr(orgs_files, "MAX_BYTES", 100)
    with pytest.raises(ValidationFailed, match="MB"):
        read_rows(b"code,name\n" + b"a1,b\n" * 30, "r.csv", COLUMNS)


def test_a_file_that_is_not_xlsx_is_refused():
    with pytest.raises(ValidationFailed, match="xlsx"):
        read_rows(b"PK not really", "r.xlsx", COLUMNS)


@given(st.text(max_size=40))
def test_exported_cells_never_start_a_formula_and_keep_their_text(text):
    cell = safe_cell(text)
    assert not cell.startswith(orgs_files.FORMULA_START)
    assert cell in (text, "'" + text)


def test_export_is_utf8_with_bom_and_neutralises_formulas():
    data = write_csv(["name"], [["=cmd|' /C calc'!A0"], ["@SUM(1)"], ["普通"]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name"], ["'=cmd|' /C calc'!A0"], ["'@SUM(1)"], ["普通"]]
