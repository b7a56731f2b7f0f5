"""GET /api/v1/audit: administrators read the log written by units of work; others are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.errors import Forbidden
from tests.factories import auth_header, make_token, make_user


@pytest.fixture
def admin_headers(hub):
    admin = make_user(hub, email="admin@example.cn", admin=True)
    return auth_header(make_token(hub, admin.email))


def _write(hub, action: str, target_type: str, target_id, actor=None, **details):
    with hub.uow(actor) if actor else hub.uow() as uow:
        uow.audit(action, target_type, target_id, **details)
        uow.commit()


def test_an_admin_sees_entries_written_through_a_unit_of_work_newest_first(
    hub, client, admin_headers
):
    _write(hub, "resource.publish", "resource", "r-1", comment="好")
    _write(hub, "resource.reject", "resource", "r-2")

    response = client.get("/api/v1/audit?action=resource.*", headers=admin_headers)

    assert response.status_code == 200
    body = response.json
    assert [e["action"] for e in body["entries"]] == ["resource.reject", "resource.publish"]
    assert body["total"] == 2
    assert body["entries"][1]["details"] == {"comment": "好"}
    assert body["entries"][1]["actor"] == "system"


def test_a_user_who_is_not_an_admin_gets_403(hub, client):
    teacher = make_user(hub, email="teacher@example.cn")

    response = client.get("/api/v1/audit", headers=auth_header(make_token(hub, teacher.email)))

    assert response.status_code == 403
    assert response.json["status"] == 403


def test_an_anonymous_caller_gets_401(client):
    assert client.get("/api/v1/audit").status_code == 401


def test_the_service_refuses_non_admins(hub):
    teacher = make_user(hub, email="teacher2@example.cn")
    with pytest.raises(Forbidden):
        hub.audit.list(teacher)


def test_filters_by_actor_and_target(hub, client, admin_headers):
    editor = make_user(hub, email="Editor@example.cn")
    _write(hub, "resource.update", "resource", "r-1", actor=editor)
    _write(hub, "resource.update", "resource", "r-2", actor=editor)
    _write(hub, "resource.update", "resource", "r-1")

    by_actor = client.get(
        "/api/v1/audit?actor=editor@example.cn&action=resource.update", headers=admin_headers
    )
    by_target = client.get("/api/v1/audit?target=resource:r-1", headers=admin_headers)
    by_id = client.get("/api/v1/audit?target=r-2", headers=admin_headers)

    assert {e["target_id"] for e in by_actor.json["entries"]} == {"r-1", "r-2"}
    assert [e["actor"] for e in by_target.json["entries"]] == ["system", "editor@example.cn"]
    assert by_id.json["total"] == 1


def test_filters_by_time_window(hub, admin_headers):
    _write(hub, "source.sync", "source", 1)
    now = datetime.now(UTC)
    admin = hub.accounts.principal_for_email("admin@example.cn")

    assert hub.audit.list(admin, action="source.sync", since=now - timedelta(minutes=5)).total == 1
    assert hub.audit.list(admin, action="source.sync", since=now + timedelta(minutes=5)).total == 0
    assert hub.audit.list(admin, action="source.sync", until=now - timedelta(minutes=5)).total == 0


def test_pages_link_to_the_next_and_previous_page(hub, client, admin_headers):
    for n in range(5):
        _write(hub, "token.revoke", "token", n)

    first = client.get("/api/v1/audit?action=token.revoke&size=2", headers=admin_headers).json
    last = client.get("/api/v1/audit?action=token.revoke&size=2&page=3", headers=admin_headers).json

    assert first["total"] == 5 and len(first["entries"]) == 2
    assert first["links"]["prev"] is None and "page=2" in first["links"]["next"]
    assert (
        len(last["entries"]) == 1
        and last["links"]["next"] is None
        and "page=2" in last["links"]["prev"]
    )


def test_a_page_larger_than_the_limit_is_refused(client, admin_headers):
    response = client.get("/api/v1/audit?size=1000", headers=admin_headers)

    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "size"
