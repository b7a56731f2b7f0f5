"""Receive an upload stream into a temp file while hashing it, with size limits and clean-up on any
failure."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hub.errors import InvalidInput, PayloadTooLarge
from hub.storage.space import check_room


@dataclass
class Staged:
    """A fully received upload in a temp file, not yet committed to the store."""

    path: Path
    sha256: str
    size: int


def stage_stream(
    stream: BinaryIO,
    tmp_dir: Path,
    *,
    max_bytes: int,
    expected_length: int | None = None,
    chunk_size: int = 1 << 20,
) -> Staged:
    """Copy `stream` into a new temp file under `tmp_dir`; the file is removed if anything goes
    wrong."""
    if expected_length is not None and expected_length > max_bytes:
        raise _too_large(max_bytes)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    check_room(tmp_dir, expected_length)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=".part")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            sha256, size = _copy_hashing(stream, out, max_bytes, chunk_size)
            out.flush()
            os.fsync(out.fileno())
        if expected_length is not None and size < expected_length:
            raise InvalidInput(
                f"上传未完成：只收到 {size} / {expected_length} 字节，请重新上传。"
                f"The upload ended early ({size} of {expected_length} bytes); please upload again."
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Staged(path=path, sha256=sha256, size=size)


def discard_staged(staged: Staged) -> None:
    Path(staged.path).unlink(missing_ok=True)


def _copy_hashing(
    stream: BinaryIO, out: BinaryIO, max_bytes: int, chunk_size: int
) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while True:
        # Read at most one byte past the limit, so an oversized body is refused as soon as it shows.
        chunk = _read(stream, min(chunk_size, max_bytes - size + 1))
        if not chunk:
            return digest.hexdigest(), size
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        digest.update(chunk)
        out.write(chunk)


def _read(stream: BinaryIO, size: int) -> bytes:
    # A failing read is the client's side of the connection (a disconnect, a truncated chunked
    # body); local write errors such as a full disk are left alone so they surface as server errors.
    try:
        return stream.read(size)
    except Exception as exc:
        raise InvalidInput(
            "上传中断，请重新上传。The upload was interrupted; please upload again."
        ) from exc


def _too_large(max_bytes: int) -> PayloadTooLarge:
    mb = max_bytes / (1024 * 1024)
    return PayloadTooLarge(
        f"文件太大：上限为 {mb:g} MB，请压缩或拆分后再上传。"
        f"The file is too large: the limit is {mb:g} MB; compress or split it and try again."
    )
