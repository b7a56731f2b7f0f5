"""The object storage port: content addressed by SHA-256, with a local and an S3 adapter beside
it."""

from __future__ import annotations

import hashlib
import io
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from hub.storage.staging import Staged, discard_staged, stage_stream

HEX = frozenset("0123456789abcdef")


def object_key(sha256: str) -> str:
    """`objects/ab/cd/abcd...`: two fan-out levels keep directories and S3 listings small."""
    check_sha256(sha256)
    return f"objects/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def check_sha256(sha256: str) -> str:
    # Keys come from the database, but a malformed one must never become a path outside the store.
    if len(sha256) != 64 or not set(sha256) <= HEX:
        raise ValueError(f"not a lowercase SHA-256 hex digest: {sha256!r}")
    return sha256


class ObjectStore(ABC):
    """Where file bodies live. Uploads are staged to a local temp file first, then committed under
    their hash."""

    def __init__(self, tmp_dir: Path):
        self.tmp_dir = Path(tmp_dir)

    def stage(
        self,
        stream: BinaryIO,
        *,
        max_bytes: int,
        expected_length: int | None = None,
        chunk_size: int = 1 << 20,
    ) -> Staged:
        """Receive a whole upload into a temp file, hashing as it arrives; never holds the body in
        memory."""
        return stage_stream(
            stream,
            self.tmp_dir,
            max_bytes=max_bytes,
            expected_length=expected_length,
            chunk_size=chunk_size,
        )

    def discard(self, staged: Staged) -> None:
        discard_staged(staged)

    def put_bytes(self, data: bytes, mimetype: str) -> str:
        """Store a small body held in memory (seed data, derived files); returns its SHA-256."""

        staged = self.stage(io.BytesIO(data), max_bytes=len(data))
        self.commit(staged, mimetype)
        return staged.sha256

    def verify(self, sha256: str) -> bool:
        """Re-read the stored bytes and re-hash them: False if they no longer match their key."""
        digest = hashlib.sha256()
        try:
            with self.open(sha256) as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        except FileNotFoundError:
            return False
        return digest.hexdigest() == sha256

    @abstractmethod
    def commit(self, staged: Staged, mimetype: str) -> bool:
        """Store the staged file under its SHA-256 atomically; True if new, False if it was already
        stored."""

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...

    @abstractmethod
    def open(self, sha256: str) -> BinaryIO:
        """A readable stream of the object; FileNotFoundError if it is not stored."""

    def local_path(self, sha256: str) -> Path | None:
        """A path on this machine for sendfile, when the store has one."""
        return None

    def presigned_url(
        self, sha256: str, *, filename: str, mimetype: str, expires: int = 300
    ) -> str | None:
        """A short-lived download URL that bypasses the hub, when the store can issue one."""
        return None

    def public_origin(self) -> str | None:
        """The origin (scheme://host[:port]) of the presigned URLs, for the pages' CSP: a video
        the page plays is redirected there."""
        return None

    @abstractmethod
    def delete(self, sha256: str) -> None: ...

    @abstractmethod
    def iter_keys(self) -> Iterator[str]:
        """Every stored SHA-256."""

    @abstractmethod
    def check_ready(self) -> None:
        """Raise if the backend cannot be reached (used by /readyz)."""
