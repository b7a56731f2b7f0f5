"""Files through the API on an S3-compatible store (real Swift): uploads land in the bucket,
downloads are 302 redirects to short-lived presigned URLs that the store itself checks."""

from __future__ import annotations

import hashlib
import uuid

import pytest
import requests

from config import Config
from hub import create_app
from hub.db import Base
from tests.factories import auth_header
from tests.resource_factories import PDF_BYTES, make_world, valid_record

pytestmark = pytest.mark.swift


@pytest.fixture
def s3_app(tmp_path, s3_server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server["access_key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server["secret_key"])
    bucket = f"eduhub-api-{uuid.uuid4().hex[:10]}"
    url = (
        f"s3://{bucket}?endpoint_url={s3_server['endpoint_url']}&region={s3_server['region']}"
        f"&addressing_style=path&create_bucket=true"
    )
    config = Config.from_env(
        data_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path}/hub.db",
        storage_url=url,
        secret_key="s3",
        testing=True,
    )
    app = create_app(config)
    Base.metadata.create_all(app.extensions["eduhub"].db.engine)
    yield app
    store = app.extensions["eduhub"].storage
    store.delete_many(list(store.iter_keys()))
    store.client.delete_bucket(Bucket=store.bucket)


def test_upload_to_s3_and_download_by_presigned_redirect(s3_app):
    hub, client = s3_app.extensions["eduhub"], s3_app.test_client()
    world = make_world(hub)
    headers = auth_header(world.tokens["c"])
    rid = client.post("/api/v1/resources", json=valid_record(), headers=headers).json["id"]
    put = client.put(f"/api/v1/resources/{rid}/files/教案.pdf", data=PDF_BYTES, headers=headers)
    assert put.status_code == 201
    assert hub.storage.exists(hashlib.sha256(PDF_BYTES).hexdigest())
    hub.resources.act(world.contributor, rid, "submit")
    hub.resources.act(world.reviewer, rid, "publish")

    response = client.get(f"/api/v1/resources/{rid}/files/教案.pdf")
    assert response.status_code == 302
    fetched = requests.get(response.headers["Location"], timeout=30)
    assert fetched.status_code == 200 and fetched.content == PDF_BYTES
    assert "UTF-8''%E6%95%99%E6%A1%88.pdf" in fetched.headers["Content-Disposition"]
    tampered = response.headers["Location"].replace("Signature=", "Signature=0")
    assert requests.get(tampered, timeout=30).status_code == 403


def test_an_upload_while_the_store_is_down_is_503_and_works_once_it_is_back(s3_app):
    """The object server stops (Swift down, a store restarting): the upload answers 503 with
    Retry-After, nothing is attached to the draft, and the same upload succeeds afterwards."""
    from tests.support import swift

    hub, client = s3_app.extensions["eduhub"], s3_app.test_client()
    world = make_world(hub)
    headers = auth_header(world.tokens["c"])
    rid = client.post("/api/v1/resources", json=valid_record(), headers=headers).json["id"]
    url = f"/api/v1/resources/{rid}/files/教案.pdf"
    hub.storage.exists("0" * 64)  # the bucket is made before the store goes down
    swift.pause_object_server()
    try:
        down = client.put(url, data=PDF_BYTES, headers=headers)
    finally:
        swift.resume_object_server()
    assert down.status_code == 503, down.json
    assert down.headers["Retry-After"] == "5"
    assert "对象存储" in down.json["message"]
    assert client.get(f"/api/v1/resources/{rid}", headers=headers).json["files"] == []
    for _ in range(60):  # the object server takes a moment to listen again
        again = client.put(url, data=PDF_BYTES, headers=headers)
        if again.status_code != 503:
            break
    assert again.status_code == 201
    assert hub.storage.exists(hashlib.sha256(PDF_BYTES).hexdigest())
