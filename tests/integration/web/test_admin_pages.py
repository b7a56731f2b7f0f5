"""Admin pages: sources with their last sync and failed records (retried from the page), people,
audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.db.models import Organisation
from hub.db.models.sources import Source
from hub.security.principal import SYSTEM
from tests.factories import PASSWORD, make_org, make_user
from tests.support import fake_source


@pytest.fixture
def admin(hub):
    fake_source.install()
    make_org(hub, code="nx-partner", name="合作学校")
    make_user(hub, email="admin@example.cn", admin=True, org=None, role=None)
    make_user(hub, email="c@example.cn", org="nx-partner", role="contributor")


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, email: str) -> str:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    return csrf_from(client.get("/").get_data(as_text=True))


def _source_with_a_failure(hub) -> tuple[int, dict]:
    with hub.uow() as uow:
        org_id = uow.session.scalar(
            select(Organisation.id).where(Organisation.code == "nx-partner")
        )
        source = Source(
            name="partner-hub",
            kind=fake_source.KIND,
            url="http://source.example",
            org_id=org_id,
            options={
                "items": [
                    {"op": "upsert", "id": "ext-1", "record": fake_source.record(1)},
                    {"op": "fail", "id": "ext-7", "reason": "timeout reading record"},
                ]
            },
        )
        uow.session.add(source)
        uow.commit()
        source_id = source.id
    run = hub.sync.start(SYSTEM, source_id)
    return source_id, hub.sync.run(run["id"])


def test_admin_pages_are_for_admins_only(client, admin):
    assert client.get("/admin").status_code == 302  # log in first
    log_in(client, "c@example.cn")
    for path in ("/admin", "/admin/sources", "/admin/people", "/admin/audit"):
        assert client.get(path).status_code == 403, path


def test_sources_page_shows_the_last_run_its_counts_and_failed_records(client, admin, hub):
    _source_with_a_failure(hub)
    log_in(client, "admin@example.cn")
    html = client.get("/admin/sources").get_data(as_text=True)
    assert "partner-hub" in html and "run-partial" in html
    assert "新增 1" in html and "失败 1" in html
    assert "ext-7" in html and "timeout reading record" in html
    dashboard = client.get("/admin").get_data(as_text=True)
    assert "partner-hub" in dashboard  # a partial sync needs attention


def test_retry_from_the_page_resolves_a_fixed_record(client, admin, hub):
    source_id, run = _source_with_a_failure(hub)
    token = log_in(client, "admin@example.cn")
    assert client.post(f"/admin/runs/{run['id']}/retry", data={}).status_code == 403  # CSRF
    with hub.uow() as uow:
        source = uow.session.get(Source, source_id)
        source.options = {**source.options, "fixed": {"ext-7": fake_source.record(7)}}
        uow.commit()
    response = client.post(f"/admin/runs/{run['id']}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "重试 1 条，成功 1 条。" in page
    assert "ext-7" not in page
    assert hub.sync.failures(SYSTEM, run["id"], unresolved_only=True) == []


def test_sync_now_starts_a_run(client, admin, hub):
    source_id, run = _source_with_a_failure(hub)
    token = log_in(client, "admin@example.cn")
    response = client.post(f"/admin/sources/{source_id}/sync", data={"csrf_token": token})
    assert response.status_code == 302
    assert len(hub.sync.list_runs(SYSTEM, source_id)) == 2


def test_people_and_audit_log(client, admin, hub):
    _source_with_a_failure(hub)
    log_in(client, "admin@example.cn")
    people = client.get("/admin/people").get_data(as_text=True)
    assert "合作学校" in people and "c@example.cn" in people and "contributor" in people
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "source.sync.finish" in audit and "user.login" in audit and "admin@example.cn" in audit
    narrowed = client.get("/admin/audit?action=source.*").get_data(as_text=True)
    assert "source.sync" in narrowed and "user.login" not in narrowed
