"""`eduhub orgs import|export` and `eduhub users import` on a fresh data directory: a province's
register of 1,766 schools, idempotent, all or nothing, and hostile files refused row by row."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import openpyxl
import pytest

from config import Config
from hub import create_app
from hub.demo.register import register_csv, register_rows
from metadata.vocabularies import load_vocabularies
from tests.integration.cli.test_accounts_cli import eduhub  # noqa: F401  (the CLI fixture)

SCHOOLS = 1766
TIERS = 1 + 5 + 22  # the province, its cities and counties


@pytest.fixture(scope="module")
def register() -> list[dict]:
    """1,766 generated schools, listed before the counties they sit in (parents come later)."""
    return register_rows(load_vocabularies(), SCHOOLS)[::-1]


def write(tmp_path, rows, name="register.csv", encoding=None) -> str:
    path = tmp_path / name
    data = register_csv(rows)
    path.write_bytes(data if encoding is None else data.decode("utf-8-sig").encode(encoding))
    return str(path)


def schools(eduhub) -> list[str]:
    return eduhub("orgs", "list", "--kind", "school").output.splitlines()


def test_register_of_1766_schools_imports_then_reimports_unchanged(eduhub, register, tmp_path):
    path = write(tmp_path, register)
    first = eduhub("orgs", "import", path)
    assert f"{SCHOOLS + TIERS} created, 0 updated, 0 unchanged, 0 failed; applied" in first.output
    again = eduhub("orgs", "import", path)
    assert f"0 created, 0 updated, {SCHOOLS + TIERS} unchanged, 0 failed" in again.output
    assert len(schools(eduhub)) == SCHOOLS
    tree = eduhub("orgs", "list", "--parent", "nx-gy-xj").output
    assert "西吉县示例第3小学（示例）" in tree


def test_bad_rows_are_each_reported_with_their_line_and_nothing_is_applied(
    eduhub, register, tmp_path
):
    rows = [dict(r) for r in register]
    rows[1000]["school_id"] = "12345"
    rows[1500]["parent"] = "no-such-county"
    result = eduhub("orgs", "import", write(tmp_path, rows), ok=False)
    assert "NOT applied" in result.output
    assert "line 1002: failed" in result.output and "10 位数字" in result.output
    assert "line 1502: failed" in result.output and "no-such-county" in result.output
    assert schools(eduhub) == []


def test_an_edit_updates_only_that_school(eduhub, register, tmp_path):
    eduhub("orgs", "import", write(tmp_path, register))
    rows = [dict(r) for r in register]
    rows[0]["name"] += "（改）"
    rows[0]["boarding"] = "1"
    result = eduhub("orgs", "import", write(tmp_path, rows), "-v")
    assert f"0 created, 1 updated, {SCHOOLS + TIERS - 1} unchanged" in result.output
    assert f"line 2: updated {rows[0]['code']}" in result.output


def test_gb18030_csv_and_xlsx_with_chinese_headers_import(eduhub, register, tmp_path):
    tiers = [r for r in register if r["kind"] != "school"]
    eduhub("orgs", "import", write(tmp_path, tiers, "gbk.csv", encoding="gb18030"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["代码", "学校标识码", "名称", "类型", "上级代码", "学段", "农村", "寄宿", "教学点"]
    )
    sheet.append(["xj-demo-x", "9964042299", "西吉县示例寄宿小学（示例）", "学校", "nx-gy-xj",
                  "小学、初中", "是", "是", "否"])  # fmt: skip
    book.save(tmp_path / "学校名册.xlsx")
    result = eduhub("orgs", "import", str(tmp_path / "学校名册.xlsx"))
    assert "1 created" in result.output
    export = tmp_path / "out.csv"
    eduhub("orgs", "export", str(export))
    [row] = [r for r in csv.DictReader(io.StringIO(export.read_text("utf-8-sig")))
             if r["code"] == "xj-demo-x"]  # fmt: skip
    assert (row["region"], row["stages"], row["rural"], row["boarding"]) == (
        "640422",
        "primary junior",
        "1",
        "1",
    )


def test_duplicate_codes_and_a_cycle_are_refused(eduhub, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name,kind,parent\n"
        "al-a,联盟甲,alliance,al-b\n"
        "al-b,联盟乙,alliance,al-a\n"
        "s-1,示例学校,school,\n"
        "s-1,示例学校二,school,\n",
        encoding="utf-8",
    )
    result = eduhub("orgs", "import", str(path), ok=False)
    assert "line 2: failed al-a" in result.output and "cycle" in result.output
    assert "line 3: failed al-b" in result.output
    assert "line 5: failed s-1" in result.output and "line 4" in result.output
    assert "al-a" not in eduhub("orgs", "list").output


def test_a_formula_in_a_cell_is_exported_as_text(eduhub, tmp_path):
    path = tmp_path / "evil.csv"
    path.write_text("code,name,kind\nevil-1,=cmd|' /C calc'!A0,school\n", encoding="utf-8")
    eduhub("orgs", "import", str(path))
    export = tmp_path / "out.csv"
    eduhub("orgs", "export", str(export))
    [row] = list(csv.DictReader(io.StringIO(export.read_text("utf-8-sig"))))
    assert row["name"] == "'=cmd|' /C calc'!A0"


def test_wrong_encoding_and_a_huge_file_are_refused_whole(eduhub, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_text("code,name\ns-1,学校\n", encoding="utf-16")
    assert "UTF-8" in eduhub("orgs", "import", str(path), ok=False).output
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as out:
        out.write(b"code,name\n")
        out.write(b"s-1," + b"x" * (33 * 1024 * 1024) + b"\n")
    assert "MB" in eduhub("orgs", "import", str(huge), ok=False).output


def test_users_import_prints_a_link_per_new_user(eduhub, tmp_path):
    eduhub("orgs", "create", "--code", "nx", "--name", "宁夏", "--kind", "province")
    users = tmp_path / "users.csv"
    users.write_text(
        "邮箱,姓名,机构代码,角色\nli@example.cn,李老师,nx,贡献者\n", encoding="gb18030"
    )
    first = eduhub("users", "import", str(users))
    [link] = [line.split("\t")[1] for line in first.output.splitlines() if "\t" in line]
    assert "1 created" in first.output
    assert "0 created, 0 updated, 1 unchanged" in eduhub("users", "import", str(users)).output
    app = create_app(Config.from_env())
    client = app.test_client()
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and "li@example.cn" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(urlsplit(link).path[:-2]).status_code == 404
    app.extensions["eduhub"].close()


def test_users_import_with_an_unknown_org_applies_nothing(eduhub, tmp_path):
    users = tmp_path / "users.csv"
    users.write_text("email,name,org\nok@example.cn,甲,\nbad,乙,none\n", encoding="utf-8")
    result = eduhub("users", "import", str(users), ok=False)
    assert "line 2: failed ok@example.cn" in result.output and "line 3: failed bad" in result.output
    assert "ok@example.cn" not in eduhub("users", "list").output


def test_an_expired_link_is_replaced_with_users_link(eduhub, tmp_path, monkeypatch):
    eduhub("orgs", "create", "--code", "nx", "--name", "宁夏", "--kind", "province")
    users = tmp_path / "users.csv"
    users.write_text("email,org\nlate@example.cn,nx\n", encoding="utf-8")
    monkeypatch.setenv("EDUHUB_SET_PASSWORD_DAYS", "0")  # born expired
    [old] = [ln.split("\t")[1] for ln in eduhub("users", "import", str(users)).output.splitlines()
             if "\t" in ln]  # fmt: skip
    monkeypatch.delenv("EDUHUB_SET_PASSWORD_DAYS")
    [new] = eduhub("users", "link", "--email", "late@example.cn").output.split("\t")[1:]
    app = create_app(Config.from_env())
    client = app.test_client()
    expired = client.get(urlsplit(old).path)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert client.get(urlsplit(new.strip()).path).status_code == 200
    app.extensions["eduhub"].close()
    monkeypatch.setenv("EDUHUB_SMTP_URL", "smtp://127.0.0.1:9")  # nothing listens on discard
    failed = eduhub("users", "link", "--email", "late@example.cn", "--send", ok=False)
    assert "EDUHUB_SMTP_URL" in failed.output
