"""The bundles API: a user's search built by the worker, its status, the ZIP with Range, expiry."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from hub.bundles import signing
from tests.factories import auth_header
from tests.resource_factories import make_world, publish

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def world(hub):
    world = make_world(hub)
    publish(hub, world, title="有理数的加法（公开）")
    publish(hub, world, title="有理数的乘法（公开）")
    publish(hub, world, title="校内教案：有理数", visibility="org")
    return world


def build(client, hub, token, body):
    posted = client.post("/api/v1/bundles", json=body, headers=auth_header(token))
    assert posted.status_code == 202, posted.json
    while hub.outbox.process():  # the worker: search indexing, then the bundle
        pass
    return posted


def test_a_signed_in_user_gets_a_bundle_of_what_they_may_read(client, hub, world):
    posted = build(client, hub, world.tokens["o"], {"subject": "math", "stage": ["junior"]})
    assert set(posted.json) >= {"id", "status"} and posted.json["status"] == "queued"

    status = client.get(posted.headers["Location"], headers=auth_header(world.tokens["o"])).json
    assert status["status"] == "succeeded"
    # Not the school-only one; the factory uploads a distinct PDF for each.
    assert status["counts"] == {"records": 2, "files": 2}
    assert status["query"] == {"subject": ["math"], "stage": ["junior"]}

    whole = client.get(status["links"]["file"], headers=auth_header(world.tokens["o"]))
    assert whole.status_code == 200 and len(whole.data) == status["size"]
    with zipfile.ZipFile(io.BytesIO(whole.data)) as archive:
        manifest = archive.read("manifest.json")
        signature = archive.read("manifest.sig")
    key = client.get("/api/v1/bundles/key").json["key"]
    assert signing.verify(manifest, signature, {key}) == key
    titles = {r["title"] for r in json.loads(manifest)["records"]}
    assert titles == {"有理数的加法（公开）", "有理数的乘法（公开）"}


def test_the_zip_resumes_with_range(client, hub, world):
    job = build(client, hub, world.tokens["c"], {}).json
    url, headers = f"/api/v1/bundles/{job['id']}/file", auth_header(world.tokens["c"])
    whole = client.get(url, headers=headers).data
    part = client.get(url, headers={**headers, "Range": "bytes=100-"})
    assert part.status_code == 206 and part.data == whole[100:]
    assert part.headers["Content-Range"] == f"bytes 100-{len(whole) - 1}/{len(whole)}"
    assert "attachment" in part.headers["Content-Disposition"]


def test_the_school_only_record_is_in_its_members_bundle(client, hub, world):
    job = build(client, hub, world.tokens["c"], {}).json
    status = client.get(f"/api/v1/bundles/{job['id']}", headers=auth_header(world.tokens["c"])).json
    assert status["counts"]["records"] == 3


def test_anonymous_callers_and_other_users_get_nothing(client, hub, world):
    assert client.post("/api/v1/bundles", json={}).status_code == 401
    job = build(client, hub, world.tokens["c"], {}).json
    for headers in ({}, auth_header(world.tokens["t"])):
        assert client.get(f"/api/v1/bundles/{job['id']}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/bundles/{job['id']}/file", headers=headers).status_code == 404


def test_unknown_filters_and_bad_bodies_are_refused(client, world):
    headers = auth_header(world.tokens["c"])
    refused = client.post("/api/v1/bundles", json={"colour": "red"}, headers=headers)
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "colour"
    assert client.post("/api/v1/bundles", json=[1], headers=headers).status_code == 400
    assert client.post("/api/v1/bundles", json={"q": 5}, headers=headers).status_code == 422


def test_a_bundle_not_built_yet_is_not_downloadable(client, world):
    headers = auth_header(world.tokens["c"])
    job = client.post("/api/v1/bundles", json={}, headers=headers).json
    response = client.get(f"/api/v1/bundles/{job['id']}/file", headers=headers)
    assert response.status_code == 409 and "succeeded" in response.json["message"]


def test_expired_bundles_are_deleted_by_the_periodic_task(client, hub, world):
    hub.bundles.bundle_days = 0
    job = build(client, hub, world.tokens["c"], {}).json
    service = hub.bundles
    assert service.path(job["id"]).exists()

    assert service.expire() == 1

    assert not service.path(job["id"]).exists()
    headers = auth_header(world.tokens["c"])
    assert client.get(f"/api/v1/bundles/{job['id']}", headers=headers).status_code == 404
    assert service.expire() == 0


def test_the_expiry_task_is_scheduled_and_runs_in_the_worker(app, client, hub, world, monkeypatch):
    from config import default_beat_schedule
    from workers.tasks import expire_bundles

    monkeypatch.setattr("workers.app._hub", hub)  # the worker's own hub is this test's
    assert "workers.tasks.expire_bundles" in {e["task"] for e in default_beat_schedule().values()}
    hub.bundles.bundle_days = 0
    build(client, hub, world.tokens["c"], {})
    assert expire_bundles() == 1
