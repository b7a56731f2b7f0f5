"""Stats rows as CSV or XLSX downloads with Chinese column headings."""

from __future__ import annotations

import csv
import io

from flask import Response, request

HEADINGS = {
    "key": "代码",
    "label": "名称",
    "count": "次数",
    "visitors": "访客数",
    "stage": "学段",
    "subject": "学科",
    "grade": "年级",
    "major": "专业",
    "edition": "版本",
    "volume": "册次",
    "local": "本省资源数",
    "national": "国家平台资源数",
    "gap": "缺口",
    "code": "区划代码",
    "name": "县区",
    "city": "市",
    "rural": "农村",
    "southern_mountain": "南部山区",
    "resettlement": "移民安置区",
    "schools": "学校数",
    "contributors": "贡献者数",
    "published": "已发布资源数",
    "downloads_30_days": "近30天下载",
    "active_teachers_30_days": "近30天活跃教师",
    "downloads_per_teacher": "人均下载",
}
FORMULA = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def wanted_format() -> str | None:
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return fmt
    if request.accept_mimetypes.best == "text/csv":
        return "csv"
    return None


def as_download(rows: list[dict], name: str, fmt: str) -> Response:
    columns = list(rows[0]) if rows else ["key", "label", "count"]
    table = [[HEADINGS.get(c, c) for c in columns]]
    table += [[spreadsheet_cell(row.get(c)) for c in columns] for row in rows]
    if fmt == "xlsx":
        body, mimetype = _xlsx(table), XLSX
    else:  # a BOM so that Excel opens the Chinese headings as UTF-8
        out = io.StringIO()
        csv.writer(out).writerows(table)
        body, mimetype = "\ufeff" + out.getvalue(), "text/csv; charset=utf-8"
    disposition = f'attachment; filename="eduhub-{name}.{fmt}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def spreadsheet_cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and value[:1] in FORMULA:
        return "'" + value  # an organisation's name must not run as a spreadsheet formula
    return "" if value is None else value


def _xlsx(table: list[list]) -> bytes:
    from openpyxl import Workbook  # heavy; only for spreadsheet downloads

    book = Workbook(write_only=True)
    sheet = book.create_sheet("EduHub")
    for line in table:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
