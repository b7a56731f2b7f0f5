"""Resources over HTTP: status codes, ETags, the error envelope, and what a careless client
sends."""

from __future__ import annotations

import pytest

from tests.factories import auth_header
from tests.resource_factories import PDF_BYTES, make_world, valid_record


@pytest.fixture
def world(hub):
    return make_world(hub)


def _h(world, who):
    return auth_header(world.tokens[who])


def _create(client, world, **overrides):
    response = client.post(
        "/api/v1/resources", json=valid_record(**overrides), headers=_h(world, "c")
    )
    assert response.status_code == 201, response.json
    return response


def test_create_returns_201_location_and_etag(client, world):
    response = _create(client, world)
    record = response.json
    assert response.headers["Location"].endswith(f"/api/v1/resources/{record['id']}")
    assert response.headers["ETag"] == f'"{record["revision"]}"'
    assert record["title"].startswith("人教版")


def test_missing_token_is_401_bad_token_is_401(client, world):
    assert client.post("/api/v1/resources", json=valid_record()).status_code == 401
    bad = client.post("/api/v1/resources", json=valid_record(), headers=auth_header("ehk_nonsense"))
    assert bad.status_code == 401
    assert bad.json["status"] == 401 and bad.json["message"]
    basic = client.get("/api/v1/resources/x", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert basic.status_code == 401


def test_unknown_vocabulary_code_gives_422_naming_field_and_codes(client, world):
    response = client.post(
        "/api/v1/resources", json=valid_record(stage="university"), headers=_h(world, "c")
    )
    assert response.status_code == 422
    body = response.json
    assert set(body) >= {"status", "message", "errors"}
    stage_errors = [e for e in body["errors"] if e["field"] == "stage"]
    assert stage_errors and "junior" in " ".join(stage_errors[0]["messages"])


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "text",
        [1, 2],
        {"title": 5},
        {"title": ""},
        {"title": "x" * 600},
        {"title": "ok", "unknown": 1},
        {"title": "ok", "subjects": "math"},
    ],
)
def test_malformed_bodies_are_4xx_never_5xx(client, world, payload):
    if payload is None:
        response = client.post(
            "/api/v1/resources",
            data="{not json",
            headers={**_h(world, "c"), "Content-Type": "application/json"},
        )
    else:
        response = client.post("/api/v1/resources", json=payload, headers=_h(world, "c"))
    assert 400 <= response.status_code < 500
    assert response.json["status"] == response.status_code


def test_patch_with_stale_if_match_is_412(client, world):
    record = _create(client, world).json
    url = f"/api/v1/resources/{record['id']}"
    ok = client.patch(
        url, json={"chapter": "第一章"}, headers={**_h(world, "c"), "If-Match": '"1"'}
    )
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = client.patch(
        url, json={"chapter": "第二章"}, headers={**_h(world, "c"), "If-Match": '"1"'}
    )
    assert stale.status_code == 412


def test_someone_elses_org_only_resource_is_404(client, world, hub):
    from tests.resource_factories import publish

    record = publish(hub, world, visibility="org")
    url = f"/api/v1/resources/{record['id']}"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=_h(world, "o")).status_code == 404
    assert client.get(url, headers=_h(world, "cr")).status_code == 200


def test_teacher_not_allowed_to_publish_is_403(client, world):
    record = _create(client, world).json
    rid = record["id"]
    client.put(f"/api/v1/resources/{rid}/files/a.pdf", data=PDF_BYTES, headers=_h(world, "c"))
    assert (
        client.post(f"/api/v1/resources/{rid}/actions/submit", headers=_h(world, "c")).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/resources/{rid}/actions/publish", json={}, headers=_h(world, "c")
        ).status_code
        == 403
    )
    published = client.post(
        f"/api/v1/resources/{rid}/actions/publish", json={"comment": "通过"}, headers=_h(world, "r")
    )
    assert published.status_code == 200 and published.json["status"] == "published"
    assert client.get(f"/api/v1/resources/{rid}").status_code == 200  # anonymous now sees it


def test_unknown_action_is_404(client, world):
    record = _create(client, world).json
    response = client.post(
        f"/api/v1/resources/{record['id']}/actions/explode", headers=_h(world, "c")
    )
    assert response.status_code == 404


def test_withdrawn_resource_answers_410_with_tombstone(client, world, hub):
    from tests.resource_factories import publish

    record = publish(hub, world)
    response = client.delete(f"/api/v1/resources/{record['id']}", headers=_h(world, "c"))
    assert response.status_code == 200 and response.json["status"] == "withdrawn"
    gone = client.get(f"/api/v1/resources/{record['id']}")
    assert gone.status_code == 410 and gone.json["tombstone"]["id"] == record["id"]


def test_openapi_documents_resources(client):
    spec = client.get("/api/openapi.json").json
    assert "/api/v1/resources" in spec["paths"]
    assert "/api/v1/resources/{resource_id}/files/{name}" in spec["paths"]
