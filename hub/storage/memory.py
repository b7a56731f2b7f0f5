"""Object storage in a dict: the unit tests' fake, proven equal to the real stores by contract.

Uploads are still staged to a temp file, as on the real stores, because services read a staged
upload from its path (sniffing, extraction) before it is committed. `memory://NAME` shares one
store per name and process.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from hub.storage.base import ObjectStore, check_sha256
from hub.storage.staging import Staged


class MemoryStore(ObjectStore):
    """SHA-256 -> bytes, with the mimetype kept beside it as S3 keeps its ContentType."""

    def __init__(self, tmp_dir: Path):
        super().__init__(tmp_dir)
        self._lock = threading.Lock()
        self._objects: dict[str, bytes] = {}
        self.mimetypes: dict[str, str] = {}

    def commit(self, staged: Staged, mimetype: str) -> bool:
        try:
            data = Path(staged.path).read_bytes()
        finally:
            self.discard(staged)
        with self._lock:
            if check_sha256(staged.sha256) in self._objects:
                return False
            self._objects[staged.sha256] = data
            self.mimetypes[staged.sha256] = mimetype
            return True

    def exists(self, sha256: str) -> bool:
        return check_sha256(sha256) in self._objects

    def open(self, sha256: str) -> BinaryIO:
        data = self._objects.get(check_sha256(sha256))
        if data is None:
            raise FileNotFoundError(sha256)
        return io.BytesIO(data)

    def delete(self, sha256: str) -> None:
        with self._lock:
            self._objects.pop(check_sha256(sha256), None)
            self.mimetypes.pop(sha256, None)

    def iter_keys(self) -> Iterator[str]:
        with self._lock:
            keys = sorted(self._objects)
        yield from keys

    def check_ready(self) -> None:
        self.tmp_dir.mkdir(parents=True, exist_ok=True)


_NAMED: dict[str, MemoryStore] = {}
_NAMED_LOCK = threading.Lock()


def memory_store(name: str, tmp_dir: Path) -> MemoryStore:
    """A fresh store for `memory://`; for `memory://NAME` the process's one store of that name."""
    if not name:
        return MemoryStore(tmp_dir)
    with _NAMED_LOCK:
        return _NAMED.setdefault(name, MemoryStore(tmp_dir))
