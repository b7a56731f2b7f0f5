"""The local content-addressed store: staging limits, atomic commit, dedupe, integrity checks."""

from __future__ import annotations

import hashlib
import io
import os
import stat

import pytest

from hub.errors import InvalidInput, PayloadTooLarge
from hub.storage import store_from_url
from hub.storage.local import LocalStore


class EndsEarly(io.RawIOBase):
    """A client that sent `size` bytes and then hung up."""

    def __init__(self, size: int):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = b"x" * n
        self.left -= n
        return n


class Broken(io.RawIOBase):
    def readable(self):
        return True

    def readinto(self, buffer):
        raise ConnectionResetError("peer went away")


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return store_from_url(f"file://{tmp_path / 'objects'}", data_dir=tmp_path)


def temp_files(store: LocalStore) -> list:
    return list(store.tmp_dir.iterdir()) if store.tmp_dir.exists() else []


def test_stage_hashes_the_stream_into_a_temp_file_under_data_dir_tmp(store, tmp_path):
    staged = store.stage(io.BytesIO(b"hello"), max_bytes=10)
    assert staged.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert staged.size == 5
    assert staged.path.parent == tmp_path / "tmp"
    assert staged.path.read_bytes() == b"hello"


def test_commit_stores_under_the_hash_and_removes_the_temp_file(store):
    staged = store.stage(io.BytesIO(b"lesson"), max_bytes=100)
    assert store.commit(staged, "text/plain") is True
    sha = staged.sha256
    assert not staged.path.exists()
    assert store.local_path(sha) == store.root / "objects" / sha[:2] / sha[2:4] / sha
    with store.open(sha) as fh:
        assert fh.read() == b"lesson"
        assert fh.fileno() >= 0


def test_committed_objects_are_read_only(store):
    sha = store.put_bytes(b"final", "text/plain")
    mode = store.local_path(sha).stat().st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_the_same_bytes_are_stored_once(store):
    first = store.stage(io.BytesIO(b"same"), max_bytes=10)
    second = store.stage(io.BytesIO(b"same"), max_bytes=10)
    assert store.commit(first, "text/plain") is True
    assert store.commit(second, "text/plain") is False
    assert not second.path.exists()
    assert list(store.iter_keys()) == [first.sha256]


def test_more_than_max_bytes_is_refused_and_the_temp_file_removed(store):
    with pytest.raises(PayloadTooLarge) as raised:
        store.stage(io.BytesIO(b"x" * 101), max_bytes=100, chunk_size=7)
    assert "MB" in raised.value.message
    assert temp_files(store) == []


def test_exactly_max_bytes_is_accepted(store):
    assert store.stage(io.BytesIO(b"x" * 100), max_bytes=100, chunk_size=7).size == 100


def test_a_declared_length_over_the_limit_is_refused_before_reading(store):
    with pytest.raises(PayloadTooLarge):
        store.stage(Broken(), max_bytes=100, expected_length=101)


def test_a_stream_that_ends_early_is_refused_and_the_temp_file_removed(store):
    with pytest.raises(InvalidInput):
        store.stage(EndsEarly(50), max_bytes=1000, expected_length=100)
    assert temp_files(store) == []


def test_a_failing_stream_is_an_invalid_upload_and_leaves_no_temp_file(store):
    with pytest.raises(InvalidInput):
        store.stage(Broken(), max_bytes=1000)
    assert temp_files(store) == []


def test_discard_removes_the_staged_file(store):
    staged = store.stage(io.BytesIO(b"draft"), max_bytes=10)
    store.discard(staged)
    assert not staged.path.exists()
    assert not store.exists(staged.sha256)


def test_verify_detects_a_flipped_byte(store):
    sha = store.put_bytes(b"0123456789" * 100, "text/plain")
    assert store.verify(sha) is True
    path = store.local_path(sha)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[500] ^= 0x01
    path.write_bytes(bytes(data))
    assert store.verify(sha) is False


def test_verify_of_a_missing_object_is_false(store):
    assert store.verify("0" * 64) is False


def test_iter_keys_lists_every_object_and_ignores_strays(store):
    shas = {store.put_bytes(str(i).encode(), "text/plain") for i in range(20)}
    (store.root / "objects" / "zz").mkdir()
    (store.root / "objects" / "README").write_text("not an object")
    assert set(store.iter_keys()) == shas


def test_delete_removes_the_object_and_is_idempotent(store):
    sha = store.put_bytes(b"gone", "text/plain")
    store.delete(sha)
    store.delete(sha)
    assert not store.exists(sha)
    assert store.local_path(sha) is None


def test_a_malformed_key_is_never_turned_into_a_path(store):
    with pytest.raises(ValueError):
        store.exists("../../etc/passwd")


def test_local_store_has_no_presigned_urls(store):
    sha = store.put_bytes(b"x", "text/plain")
    assert store.presigned_url(sha, filename="a.txt", mimetype="text/plain") is None


def test_check_ready_passes_on_a_writable_directory(store):
    store.check_ready()


def test_commit_across_file_systems_falls_back_to_copy_then_rename(store, monkeypatch):
    import errno

    def no_link(src, dst):
        raise OSError(errno.EXDEV, "cross-device link")

    monkeypatch.setattr(os, "link", no_link)
    staged = store.stage(io.BytesIO(b"far away"), max_bytes=100)
    assert store.commit(staged, "text/plain") is True
    assert store.open(staged.sha256).read() == b"far away"
    assert not staged.path.exists()
    assert [p.name for p in store.local_path(staged.sha256).parent.iterdir()] == [staged.sha256]
