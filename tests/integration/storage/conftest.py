"""The store contract runs against the in-memory fake, the local directory store and a real S3
server (Swift with s3api)."""

from __future__ import annotations

import uuid

import pytest

from hub.storage.local import LocalStore
from hub.storage.memory import MemoryStore
from hub.storage.s3 import S3Store


def make_s3_store(server: dict, tmp_path, bucket: str | None = None) -> S3Store:
    return S3Store(
        bucket or f"eduhub-{uuid.uuid4().hex[:12]}",
        tmp_dir=tmp_path / "tmp",
        endpoint_url=server["endpoint_url"],
        region=server["region"],
        addressing_style="path",
        access_key=server["access_key"],
        secret_key=server["secret_key"],
        create_bucket=True,
    )


def empty_and_remove(store: S3Store) -> None:
    # Swift accepts DeleteObjects only with Content-MD5: clean-up exercises it every time.
    store.delete_many(list(store.iter_keys()))
    store.client.delete_bucket(Bucket=store.bucket)


@pytest.fixture(scope="session")
def s3_bucket(s3_server, tmp_path_factory):
    """One bucket for the session: a Swift container per test costs more than the test itself."""
    store = make_s3_store(s3_server, tmp_path_factory.mktemp("s3"))
    store.check_ready()
    yield store.bucket
    empty_and_remove(store)


@pytest.fixture
def s3_store(request, tmp_path):
    server, bucket = request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket")
    store = make_s3_store(server, tmp_path, bucket)
    yield store
    store.delete_many(list(store.iter_keys()))


# "memory" is the fake the unit tests use: the contract proves it keeps bytes as the real stores do.
@pytest.fixture(params=["memory", "local", pytest.param("s3", marks=pytest.mark.swift)])
def store(request, tmp_path):
    if request.param == "memory":
        yield MemoryStore(tmp_dir=tmp_path / "tmp")
    elif request.param == "local":
        yield LocalStore(tmp_path / "objects", tmp_dir=tmp_path / "tmp")
    else:
        yield request.getfixturevalue("s3_store")
