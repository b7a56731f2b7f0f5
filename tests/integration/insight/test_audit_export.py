"""The audit log as CSV (administrators; Chinese headings; formulas neutralised) and the audit of
administrators' downloads of files that are not public."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest

from hub.db.models.events import AuditEntry
from tests.factories import auth_header, make_token, make_user
from tests.integration.web.test_admin_pages import log_in
from tests.resource_factories import PDF_BYTES, make_world, publish, valid_record

HEADINGS = ["编号", "时间", "操作人", "操作", "对象类型", "对象编号", "IP 地址", "详情"]


@pytest.fixture
def world(hub):
    world = make_world(hub)
    make_user(hub, email="admin@example.cn", admin=True, org=None, role=None)
    world.tokens["admin"] = make_token(hub, "admin@example.cn")
    return world


@pytest.fixture
def draft(hub, world) -> str:
    record = hub.resources.create(world.contributor, valid_record(title="未发布的草稿"))
    hub.files.upload(
        world.contributor,
        record["id"],
        "草稿.pdf",
        io.BytesIO(PDF_BYTES),
        content_length=len(PDF_BYTES),
    )
    return record["id"]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.content_type.startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _audit_csv(client, world, query="", who="admin"):
    return client.get(f"/api/v1/audit?format=csv{query}", headers=auth_header(world.tokens[who]))


def test_the_whole_log_as_csv_with_formulas_neutralised(client, hub, world):
    with hub.uow() as uow:
        for _ in range(130):  # more than one page of the JSON API
            uow.session.add(AuditEntry(actor="system", action="source.sync", target_type="source"))
        uow.session.add(
            AuditEntry(
                actor='=HYPERLINK("http://evil.example","x")',
                action="user.login_failed",
                target_type="user",
                target_id="-2+3",
                details={"email": "=1+1"},
            )
        )
        uow.commit()
    rows = _csv(_audit_csv(client, world))
    assert rows[0] == HEADINGS
    total = client.get("/api/v1/audit", headers=auth_header(world.tokens["admin"])).json["total"]
    assert len(rows) - 1 == total >= 131
    hostile = next(r for r in rows if r[3] == "user.login_failed" and r[5].endswith("-2+3"))
    assert hostile[2] == "'" + '=HYPERLINK("http://evil.example","x")'
    assert hostile[5] == "'-2+3"
    assert hostile[7] == '{"email": "=1+1"}'  # starts with "{": never a formula
    only = _csv(_audit_csv(client, world, "&action=user.login_failed"))
    assert [r[5] for r in only[1:]] == ["'-2+3"]


@pytest.mark.parametrize(("who", "status"), [("t", 403), ("c", 403), (None, 401)])
def test_only_administrators_export(client, world, who, status):
    headers = auth_header(world.tokens[who]) if who else {}
    assert client.get("/api/v1/audit?format=csv", headers=headers).status_code == status


def test_format_other_than_csv_is_refused(client, world):
    assert _audit_csv(client, world).status_code == 200
    response = client.get("/api/v1/audit?format=xml", headers=auth_header(world.tokens["admin"]))
    assert response.status_code == 422


def _downloads(client, world) -> list[list[str]]:
    return _csv(_audit_csv(client, world, "&action=file.download"))[1:]


def test_an_admin_download_of_a_draft_is_audited_once(client, world, draft):
    url = f"/api/v1/resources/{draft}/files/{quote('草稿.pdf')}"
    admin = auth_header(world.tokens["admin"])
    assert client.get(url, headers=admin).status_code == 200
    assert client.get(url, headers={**admin, "Range": "bytes=10-"}).status_code == 206
    assert client.head(url, headers=admin).status_code == 200
    assert client.get(url, headers=auth_header(world.tokens["c"])).status_code == 200  # its owner
    rows = _downloads(client, world)
    assert len(rows) == 1
    assert rows[0][2:6] == ["admin@example.cn", "file.download", "resource", draft]
    assert "草稿.pdf" in rows[0][7]


def test_an_admin_download_of_a_public_file_is_not_audited(client, hub, world):
    rid = publish(hub, world)["id"]
    url = f"/api/v1/resources/{rid}/files/{quote('课件.pdf')}"
    assert client.get(url, headers=auth_header(world.tokens["admin"])).status_code == 200
    assert _downloads(client, world) == []


def test_the_audit_page_links_to_the_csv(client, world, draft):
    log_in(client, "admin@example.cn")
    html = client.get("/admin/audit?action=file.*").get_data(as_text=True)
    assert 'href="/api/v1/audit?format=csv&amp;action=file.*"' in html
    rows = _csv(client.get("/api/v1/audit?format=csv&action=file.*"))
    assert rows[0] == HEADINGS and {r[3] for r in rows[1:]} == {"file.upload"}
