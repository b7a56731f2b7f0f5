"""What only the S3 adapter does: presigned downloads, multipart uploads, metadata, bucket
creation."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
import requests

from hub.storage import store_from_url
from hub.storage.names import content_disposition
from tests.integration.storage.conftest import empty_and_remove

pytestmark = pytest.mark.swift


def test_a_presigned_url_serves_the_bytes_with_the_chinese_file_name(s3_store):
    body = "第一课 黄河文化".encode() * 100
    sha = s3_store.put_bytes(body, "application/pdf")
    url = s3_store.presigned_url(
        sha, filename="第一课 黄河文化.pdf", mimetype="application/pdf", expires=60
    )
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == content_disposition("第一课 黄河文化.pdf")


def test_a_tampered_presigned_url_is_refused(s3_store):
    sha = s3_store.put_bytes(b"secret", "text/plain")
    url = s3_store.presigned_url(sha, filename="a.txt", mimetype="text/plain")
    assert requests.get(url.replace("a.txt", "b.txt"), timeout=10).status_code == 403


def test_a_large_file_is_uploaded_in_parts_and_keeps_its_metadata(s3_store):
    chunk = os.urandom(1 << 20)
    data = io.BytesIO(chunk * 40)
    staged = s3_store.stage(data, max_bytes=64 << 20)
    assert s3_store.commit(staged, "video/mp4") is True
    head = s3_store.client.head_object(
        Bucket=s3_store.bucket,
        Key=f"objects/{staged.sha256[:2]}/{staged.sha256[2:4]}/{staged.sha256}",
    )
    assert head["ContentLength"] == 40 << 20
    assert head["ETag"].strip('"').endswith("-3")  # 16 MiB parts: 16 + 16 + 8
    assert head["Metadata"]["sha256"] == staged.sha256
    assert head["ContentType"] == "video/mp4"
    assert s3_store.verify(staged.sha256) is True
    assert not staged.path.exists()


def test_verify_detects_bytes_changed_behind_the_hubs_back(s3_store):
    sha = s3_store.put_bytes(b"original", "text/plain")
    key = f"objects/{sha[:2]}/{sha[2:4]}/{sha}"
    s3_store.client.put_object(Bucket=s3_store.bucket, Key=key, Body=b"0riginal")
    assert s3_store.verify(sha) is False


def test_s3_has_no_local_path(s3_store):
    sha = s3_store.put_bytes(b"remote", "text/plain")
    assert s3_store.local_path(sha) is None


def test_store_from_url_uses_aws_environment_keys_and_creates_the_bucket(
    s3_server, tmp_path, monkeypatch
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server["access_key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server["secret_key"])
    url = (
        f"s3://eduhub-from-url?endpoint_url={s3_server['endpoint_url']}&region={s3_server['region']}"
        "&addressing_style=path&create_bucket=true"
    )
    store = store_from_url(url, data_dir=tmp_path)
    try:
        sha = store.put_bytes(b"configured", "text/plain")
        assert store.exists(sha)
        assert store.stage(io.BytesIO(b"x"), max_bytes=1).path.parent == tmp_path / "tmp"
        assert hashlib.sha256(store.open(sha).read()).hexdigest() == sha
    finally:
        empty_and_remove(store)
