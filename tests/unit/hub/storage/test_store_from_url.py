"""Choosing the storage adapter from EDUHUB_STORAGE_URL."""

from __future__ import annotations

import pytest

from hub.storage import store_from_url
from hub.storage.local import LocalStore
from hub.storage.memory import MemoryStore
from hub.storage.s3 import S3Store


def test_a_file_url_gives_a_local_store_staging_in_data_dir_tmp(tmp_path):
    store = store_from_url(f"file://{tmp_path / 'objects'}", data_dir=tmp_path)
    assert isinstance(store, LocalStore)
    assert (store.root, store.tmp_dir) == (tmp_path / "objects", tmp_path / "tmp")


def test_store_from_url_rejects_unknown_schemes(tmp_path):
    with pytest.raises(ValueError):
        store_from_url("ftp://example.org/x", data_dir=tmp_path)


def test_store_from_url_reads_the_s3_options_without_connecting(tmp_path):
    store = store_from_url(
        "s3://lessons?endpoint_url=http://127.0.0.1:9&region=cn-northwest-1"
        "&addressing_style=path&create_bucket=true",
        data_dir=tmp_path,
    )
    assert isinstance(store, S3Store)
    assert (store.bucket, store.create_bucket, store.tmp_dir) == ("lessons", True, tmp_path / "tmp")
    assert store._client_args["endpoint_url"] == "http://127.0.0.1:9"
    assert store._client_args["region_name"] == "cn-northwest-1"


def test_a_memory_url_gives_a_fresh_store_and_a_named_one_is_shared(tmp_path):
    fresh, other = (store_from_url("memory://", data_dir=tmp_path) for _ in range(2))
    assert isinstance(fresh, MemoryStore) and fresh is not other
    assert fresh.tmp_dir == tmp_path / "tmp"
    sha = fresh.put_bytes(b"only here", "text/plain")
    assert not other.exists(sha)
    named = store_from_url("memory://unit-shared-store", data_dir=tmp_path)
    assert store_from_url("memory://unit-shared-store", data_dir=tmp_path) is named
