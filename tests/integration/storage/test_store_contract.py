"""Every object store keeps the same contract, whichever backend holds the bytes."""

from __future__ import annotations

import hashlib
import io

import pytest

from hub.errors import PayloadTooLarge


def leftovers(store) -> list:
    return list(store.tmp_dir.iterdir()) if store.tmp_dir.exists() else []


def read_all(store, sha256: str) -> bytes:
    with store.open(sha256) as fh:
        return fh.read()


def test_committed_bytes_read_back_under_their_sha256(store):
    staged = store.stage(io.BytesIO("黄河文化".encode()), max_bytes=1000)
    assert store.commit(staged, "text/plain; charset=utf-8") is True
    assert staged.sha256 == hashlib.sha256("黄河文化".encode()).hexdigest()
    assert store.exists(staged.sha256)
    assert read_all(store, staged.sha256) == "黄河文化".encode()
    assert leftovers(store) == []


def test_the_same_bytes_are_stored_once(store):
    first = store.stage(io.BytesIO(b"twice"), max_bytes=100)
    second = store.stage(io.BytesIO(b"twice"), max_bytes=100)
    assert store.commit(first, "text/plain") is True
    assert store.commit(second, "text/plain") is False
    assert list(store.iter_keys()) == [first.sha256]
    assert leftovers(store) == []


def test_put_bytes_returns_the_sha256(store):
    assert store.put_bytes(b"seed", "text/plain") == hashlib.sha256(b"seed").hexdigest()


def test_a_too_large_upload_leaves_nothing_behind(store):
    with pytest.raises(PayloadTooLarge):
        store.stage(io.BytesIO(b"x" * 2048), max_bytes=1024, chunk_size=100)
    assert leftovers(store) == []
    assert list(store.iter_keys()) == []


def test_missing_objects(store):
    missing = "f" * 64
    assert not store.exists(missing)
    assert store.verify(missing) is False
    with pytest.raises(FileNotFoundError):
        store.open(missing)


def test_delete_and_iter_keys(store):
    shas = {store.put_bytes(f"file {i}".encode(), "text/plain") for i in range(5)}
    assert set(store.iter_keys()) == shas
    gone = sorted(shas)[0]
    store.delete(gone)
    assert not store.exists(gone)
    assert set(store.iter_keys()) == shas - {gone}


def test_verify_accepts_intact_objects(store):
    sha = store.put_bytes(b"intact" * 1000, "application/octet-stream")
    assert store.verify(sha) is True


def test_check_ready_passes_on_a_working_backend(store):
    store.check_ready()


@pytest.mark.parametrize("key", ["../../etc/passwd", "F" * 64, "a" * 63, "g" * 64, ""])
def test_a_malformed_key_is_refused_before_it_reaches_the_backend(store, key):
    for call in (store.exists, store.open, store.delete):
        with pytest.raises(ValueError):
            call(key)
