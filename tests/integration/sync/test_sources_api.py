"""Sources and sync runs over HTTP: admins only for writes, 202 with a run id, 409 while one
runs."""

from __future__ import annotations

from tests.factories import auth_header, make_token, make_user


def admin_headers(hub):
    make_user(hub, email="admin@example.cn", admin=True)
    return auth_header(make_token(hub, "admin@example.cn"))


def test_an_admin_registers_a_source_and_starts_a_sync(hub, client):
    headers = admin_headers(hub)
    created = client.post(
        "/api/v1/sources",
        headers=headers,
        json={
            "name": "partner",
            "kind": "hub",
            "url": "http://127.0.0.1:9/",
            "allow_private_host": True,
            "schedule": "0 2 * * *",
        },
    )
    assert created.status_code == 201, created.get_json()
    source = created.get_json()
    assert source["org"] == "src-partner" and source["schedule"] == "0 2 * * *"
    started = client.post(f"/api/v1/sources/{source['id']}/sync", headers=headers)
    assert started.status_code == 202
    run_id = started.get_json()["run_id"]
    busy = client.post(f"/api/v1/sources/{source['id']}/sync", headers=headers)
    assert busy.status_code == 409 and "already syncing" in busy.get_json()["message"]
    run = client.get(f"/api/v1/sync-runs/{run_id}", headers=headers).get_json()
    assert run["status"] == "queued" and set(run["counts"]) == {
        "created",
        "updated",
        "deleted",
        "unchanged",
        "failed",
    }
    listed = client.get("/api/v1/sources", headers=headers).get_json()["sources"]
    assert listed[0]["last_run"]["id"] == run_id


def test_a_dead_source_ends_in_a_clear_error_on_the_run(hub, client):
    headers = admin_headers(hub)
    source = client.post(
        "/api/v1/sources",
        headers=headers,
        json={
            "name": "dead",
            "kind": "hub",
            "url": "http://127.0.0.1:9",
            "allow_private_host": True,
            "options": {"retries": 0, "timeout": 1},
        },
    ).get_json()
    run_id = client.post(f"/api/v1/sources/{source['id']}/sync", headers=headers).get_json()[
        "run_id"
    ]
    run = hub.sync.run(run_id)
    assert run["status"] == "failed" and "127.0.0.1:9" in run["errors"][0]["message"]


def test_bad_input_is_a_422_with_fields(hub, client):
    headers = admin_headers(hub)
    response = client.post(
        "/api/v1/sources",
        headers=headers,
        json={"name": "x", "kind": "ftp", "url": "http://a", "schedule": "nope"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "kind"


def test_teachers_cannot_manage_sources(hub, client):
    make_user(hub, email="t@example.cn")
    headers = auth_header(make_token(hub, "t@example.cn"))
    assert (
        client.post(
            "/api/v1/sources", headers=headers, json={"name": "n", "kind": "hub", "url": "http://a"}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/sources").status_code == 401
