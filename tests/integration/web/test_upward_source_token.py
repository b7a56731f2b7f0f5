"""/admin/sources: an administrator sets a hub source's harvest token; the page never shows it."""

from __future__ import annotations

import pytest

from hub.security.principal import SYSTEM
from tests.factories import make_org, make_user
from tests.integration.web.test_admin_pages import log_in
from tests.support.upward import sqlite_url

SECRET = "ehk_a-token-from-the-county-hub-for-this-one-00"


@pytest.fixture
def database_url(tmp_path):
    return sqlite_url(tmp_path)


def test_an_admin_sets_a_token_that_is_then_only_said_to_be_set(client, hub):
    make_org(hub, code="litong", kind="county", region="640302")
    make_user(hub, email="admin@example.cn", admin=True)
    source = hub.sources.create(
        SYSTEM,
        {"name": "county", "kind": "hub", "url": "https://county.example.cn", "org": "litong"},
    )
    csrf = log_in(client, "admin@example.cn")
    page = client.get("/admin/sources").get_data(as_text=True)
    assert 'name="token"' in page and "never shown again" not in page and "不再显示" not in page

    done = client.post(
        f"/admin/sources/{source['id']}/token",
        data={"csrf_token": csrf, "token": SECRET},
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and SECRET not in html
    assert "不再显示" in html or "never shown again" in html
    assert hub.sources.get(SYSTEM, source["id"])["token_set"] is True

    empty = client.post(
        f"/admin/sources/{source['id']}/token", data={"csrf_token": csrf, "token": ""}
    )
    assert empty.status_code == 422
    forged = client.post(f"/admin/sources/{source['id']}/token", data={"token": "ehk_evil"})
    assert forged.status_code in (400, 403)


def test_a_non_admin_cannot_set_a_token(client, hub):
    make_org(hub, code="litong", kind="county", region="640302")
    make_user(hub, email="t@example.cn", org="litong", role="org_admin")
    source = hub.sources.create(
        SYSTEM,
        {"name": "county", "kind": "hub", "url": "https://county.example.cn", "org": "litong"},
    )
    csrf = log_in(client, "t@example.cn")
    answer = client.post(
        f"/admin/sources/{source['id']}/token", data={"csrf_token": csrf, "token": "ehk_x"}
    )
    assert answer.status_code in (302, 403)
    assert hub.sources.get(SYSTEM, source["id"])["token_set"] is False
