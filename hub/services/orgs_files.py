"""Register files (CSV or XLSX) read into numbered rows keyed by canonical column names.

Excel in China saves CSV as GBK (GB18030 is its superset), others save UTF-8 with or without a BOM;
headers may be Chinese or English. Exports neutralise cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from hub.errors import ValidationFailed

MAX_BYTES = 32 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELL = 1000
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    line: int  # as a person counts lines in the file, the header being line 1
    values: dict[str, str]


def file_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"field": "file", "messages": [message]}])


def read_rows(data: bytes, filename: str, columns: dict[str, str]) -> list[Row]:
    """Rows of `data`; `columns` maps each accepted header (lower case) to its canonical name."""
    if len(data) > MAX_BYTES:
        raise file_error(
            f"文件超过 {MAX_BYTES // 2**20} MB，请拆分后分批导入。"
            f"The file is over {MAX_BYTES // 2**20} MB: split it and import the parts."
        )
    table = _xlsx_rows(data) if filename.lower().endswith(".xlsx") else _csv_rows(data)
    header = next(table, None)
    if header is None:
        raise file_error("文件是空的。The file is empty: add a header line and rows.")
    names = [columns.get(_header_key(h)) for h in header]
    _check_header(names, columns)
    rows = []
    for line, cells in enumerate(table, start=2):
        if len(rows) >= MAX_ROWS:
            raise file_error(
                f"文件超过 {MAX_ROWS} 行，请拆分后分批导入。"
                f"The file has over {MAX_ROWS} rows: split it and import the parts."
            )
        values = {n: _clean(c) for n, c in zip(names, cells, strict=False) if n is not None}
        if any(values.values()):
            rows.append(Row(line, values))
    return rows


def _header_key(text) -> str:
    return str(text or "").strip().lstrip("\ufeff").lower().replace(" ", "_")


def _clean(cell) -> str:
    text = "" if cell is None else str(cell).strip()
    return text[:MAX_CELL]


def _check_header(names: list[str | None], columns: dict[str, str]) -> None:
    wanted = sorted(set(columns.values()))
    if not any(names):
        raise file_error(
            "无法识别表头，请检查文件编码（UTF-8 或 GB18030）和列名："
            f"{', '.join(wanted)}。The header line was not recognised: check the encoding "
            f"(UTF-8 or GB18030) and the column names: {', '.join(wanted)}."
        )
    seen = [n for n in names if n]
    twice = sorted({n for n in seen if seen.count(n) > 1})
    if twice:
        raise file_error(
            f"列重复：{', '.join(twice)}，请删去多余的列。"
            f"Columns given twice: {', '.join(twice)}; remove the extra ones."
        )


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else GB18030; NUL bytes mean UTF-16 or a binary file."""
    if b"\x00" in data[:4096]:
        raise file_error(
            "文件不是文本 CSV（可能是 UTF-16 或二进制），请另存为 UTF-8 CSV。"
            "The file is not a text CSV (perhaps UTF-16 or binary): save it as UTF-8 CSV."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise file_error(
            "无法识别文件编码，请另存为 UTF-8 或 GB18030 的 CSV。"
            "The file's encoding is neither UTF-8 nor GB18030: save it as UTF-8 CSV."
        ) from None


def _csv_rows(data: bytes) -> Iterable[list[str]]:
    text = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from reader
    except csv.Error as exc:
        raise file_error(
            f"CSV 格式有误（第 {reader.line_num} 行）：{exc}。"
            f"The CSV is malformed at line {reader.line_num}: {exc}."
        ) from None


def _xlsx_rows(data: bytes) -> Iterable[list]:
    # openpyxl is only needed for .xlsx files: imported here so CSV imports never load it.
    import openpyxl

    _check_zip(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise file_error(
            f"无法读取 Excel 文件：{exc}。请另存为 .xlsx 或 UTF-8 CSV。"
            f"The Excel file cannot be read ({exc}): save it again as .xlsx or UTF-8 CSV."
        ) from None
    try:
        for cells in book.worksheets[0].iter_rows(values_only=True):
            yield ["" if c is None else c for c in cells]
    finally:
        book.close()


def _check_zip(data: bytes) -> None:
    """An .xlsx is a ZIP: refuse one that would unpack to far more than any register needs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise file_error(
            "不是有效的 .xlsx 文件，请另存为 .xlsx 或 UTF-8 CSV。"
            "This is not a valid .xlsx file: save it again as .xlsx or UTF-8 CSV."
        ) from None
    if size > 8 * MAX_BYTES:
        raise file_error(
            "Excel 文件解压后过大，请拆分后分批导入。"
            "The Excel file unpacks too large: split it and import the parts."
        )


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: formula-like starts get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(header: list[str], rows: Iterable[list]) -> bytes:
    """UTF-8 with a BOM, so Excel in China opens it with the right encoding."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
