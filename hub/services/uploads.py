"""Resumable uploads: a file sent in chunks at known offsets, so a dropped connection resumes where
it stopped."""

from __future__ import annotations

import base64
import fcntl
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from hub.db.base import new_id, utcnow
from hub.db.models import Resource
from hub.db.models.uploads import UploadSession
from hub.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from hub.security.principal import Principal
from hub.services import permissions
from hub.services.files import too_large_message
from hub.storage.names import sanitise_filename
from hub.storage.space import check_room

CHUNK_SIZE = (
    4 * 1024 * 1024
)  # big enough to be quick on a good link, small enough to redo cheaply on a bad one
LIFETIME = timedelta(hours=24)  # counted from the last chunk received
COPY_BLOCK = 64 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")
NO_SUCH_UPLOAD = (
    "没有这个上传任务（可能已过期），请重新开始上传。"
    "No such upload (it may have expired); start the upload again."
)
# A finished file that fails these checks cannot be fixed by sending more bytes: the session is
# dropped.
FINAL_ERRORS = (InvalidInput, UnsupportedMediaType, PayloadTooLarge, ValidationFailed)


class OffsetMismatch(Conflict):
    """The client's offset is not the hub's: it must resume from `offset`."""

    def __init__(self, offset: int, message: str | None = None):
        super().__init__(
            message
            or f"上传位置不符：服务器已收到 {offset} 字节，请从这里继续。"
            f"Wrong offset: the hub has {offset} bytes; continue from there."
        )
        self.offset = offset


@dataclass(frozen=True)
class UploadState:
    upload_id: str
    name: str
    size: int
    offset: int
    chunk_size: int
    complete: bool
    file: dict | None = None  # {name, size, sha256, mimetype} once attached

    def to_dict(self) -> dict:
        return {
            "upload_id": self.upload_id,
            "name": self.name,
            "size": self.size,
            "offset": self.offset,
            "chunk_size": self.chunk_size,
            "complete": self.complete,
        }


class UploadService:
    def __init__(self, uow, resources, files, config):
        self.uow, self.resources, self.files, self.config = uow, resources, files, config

    @property
    def directory(self) -> Path:
        return Path(self.config.data_dir) / "uploads"

    def part_path(self, upload_id: str) -> Path:
        return self.directory / f"{upload_id}.part"

    # -- the protocol ------------------------------------------------------------------------------
    def start(
        self, actor: Principal, resource_id: str, *, name: str, size: int, sha256: str | None = None
    ) -> UploadState:

        name = sanitise_filename(name)
        self._check_size(size)
        sha256 = self._check_sha(sha256)
        self.purge_expired()
        with self.uow(actor) as uow:
            resource = self.resources.load_editable(uow.session, actor, resource_id)
            row = UploadSession(
                id=new_id(),
                resource_id=resource.id,
                user_id=actor.user_id,
                name=name,
                size=size,
                offset=0,
                sha256=sha256,
                expires=utcnow() + LIFETIME,
            )
            self.directory.mkdir(parents=True, exist_ok=True)
            check_room(self.directory, size)  # a full disk refuses now, not after the last chunk
            self.part_path(row.id).touch()
            uow.session.add(row)
            uow.audit(
                "upload.start", "resource", resource.id, upload_id=row.id, name=name, size=size
            )
            uow.commit()
            return self._state(row)

    def status(self, actor: Principal, upload_id: str) -> UploadState:
        with self.uow(actor) as uow:
            return self._state(self._load(uow.session, actor, upload_id))

    def append(
        self, actor: Principal, upload_id: str, offset: int, stream, *, length: int | None
    ) -> UploadState:
        """Write one chunk at `offset`; when the last byte arrives, verify the file and attach
        it."""
        if length is None:
            raise InvalidInput(
                "请提供 Content-Length。Send a Content-Length header with each chunk."
            )
        if length > CHUNK_SIZE:
            raise PayloadTooLarge(
                f"每块最多 {CHUNK_SIZE} 字节。A chunk may be at most {CHUNK_SIZE} bytes."
            )
        with self.uow(actor) as uow:
            row = self._load(uow.session, actor, upload_id)
        if row.completed is not None:
            raise OffsetMismatch(row.size, "该文件已上传完成。This upload is already complete.")
        if offset + length > row.size:
            raise InvalidInput(
                f"这一块超出了声明的文件大小 {row.size} 字节。"
                "The chunk goes past the declared size."
            )
        with self._locked(row.id) as part:
            current = self._current_offset(
                row.id
            )  # re-read under the lock: another request may have moved it
            if offset != current:
                raise OffsetMismatch(current)
            received = _write_chunk(stream, part, offset, length)
            if received < length:
                raise InvalidInput(
                    "这一块没有收完，请从服务器记录的位置重试。"
                    "The chunk was cut short; retry from the offset the hub reports."
                )
            part.truncate(offset + length)
            part.flush()
            os.fsync(part.fileno())
            new_offset = self._advance(row.id, offset, offset + length)
        if new_offset == row.size:
            return self._finish(actor, row.id)
        return UploadState(row.id, row.name, row.size, new_offset, CHUNK_SIZE, False)

    # -- completion --------------------------------------------------------------------------------
    def _finish(self, actor: Principal, upload_id: str) -> UploadState:
        with self.uow(actor) as uow:
            row = self._load(uow.session, actor, upload_id)
        digest = (
            None
            if row.sha256 is None
            else "sha-256=" + base64.b64encode(bytes.fromhex(row.sha256)).decode()
        )
        try:
            with open(self.part_path(row.id), "rb") as part:
                stored = self.files.upload(
                    actor, row.resource_id, row.name, part, content_length=row.size, digest=digest
                )
        except FINAL_ERRORS:
            self._drop(row.id)
            raise
        with self.uow(actor) as uow:
            uow.session.execute(
                update(UploadSession)
                .where(UploadSession.id == row.id)
                .values(completed=utcnow(), sha256=stored["sha256"])
            )
            uow.commit()
        self.part_path(row.id).unlink(missing_ok=True)
        return UploadState(
            row.id, stored["name"], row.size, row.size, CHUNK_SIZE, True, file=stored
        )

    # -- housekeeping ------------------------------------------------------------------------------
    def purge_expired(self, now: datetime | None = None) -> int:
        """Remove sessions past their expiry with their partial files, and partial files no session
        owns."""
        now = now or utcnow()
        with self.uow() as uow:
            ids = list(
                uow.session.scalars(select(UploadSession.id).where(UploadSession.expires < now))
            )
            known = set(uow.session.scalars(select(UploadSession.id)))
        for upload_id in ids:
            self._drop(upload_id)
        if self.directory.exists():
            for path in self.directory.glob("*.part"):
                orphan = (
                    path.stem not in known and path.stat().st_mtime < (now - LIFETIME).timestamp()
                )
                if orphan:
                    path.unlink(missing_ok=True)
        return len(ids)

    def _drop(self, upload_id: str) -> None:
        with self.uow() as uow:
            row = uow.session.get(UploadSession, upload_id)
            if row is not None:
                uow.session.delete(row)
                uow.commit()
        self.part_path(upload_id).unlink(missing_ok=True)

    # -- helpers -----------------------------------------------------------------------------------
    def _load(self, session, actor: Principal, upload_id: str) -> UploadSession:
        """The session, if it exists, has not expired, and the caller may still edit its
        resource."""

        row = session.get(UploadSession, upload_id) if isinstance(upload_id, str) else None
        if row is None or row.expires < utcnow():
            raise NotFound(NO_SUCH_UPLOAD)
        resource = session.get(Resource, row.resource_id)
        # Someone else's session looks exactly like a missing one: its id reveals nothing.
        if resource is None or not permissions.can_edit(actor, resource):
            raise NotFound(NO_SUCH_UPLOAD)
        return row

    def _current_offset(self, upload_id: str) -> int:
        with self.uow() as uow:
            return uow.session.scalar(
                select(UploadSession.offset).where(UploadSession.id == upload_id)
            )

    def _advance(self, upload_id: str, old: int, new: int) -> int:
        with self.uow() as uow:
            uow.session.execute(
                update(UploadSession)
                .where(UploadSession.id == upload_id, UploadSession.offset == old)
                .values(offset=new, expires=utcnow() + LIFETIME)
            )
            uow.commit()
        return self._current_offset(upload_id)

    def _locked(self, upload_id: str):
        return _LockedFile(self.part_path(upload_id))

    def _check_size(self, size) -> None:
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ValidationFailed.from_messages(
                {"size": ["应为正整数（字节数）。Must be a positive number of bytes."]}
            )
        if size > self.config.max_upload_bytes:
            raise PayloadTooLarge(too_large_message(self.config.max_upload_mb))

    @staticmethod
    def _check_sha(sha256) -> str | None:
        if sha256 in (None, ""):
            return None
        if not isinstance(sha256, str) or not SHA256.match(sha256.lower()):
            raise ValidationFailed.from_messages(
                {"sha256": ["应为 64 位十六进制 SHA-256。Must be a hex SHA-256."]}
            )
        return sha256.lower()

    def _state(self, row: UploadSession) -> UploadState:
        return UploadState(
            row.id, row.name, row.size, row.offset, CHUNK_SIZE, row.completed is not None
        )


class _LockedFile:
    """The partial file opened for writing under an exclusive lock: two requests never write one
    session at once."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        if not self.path.exists():
            raise NotFound(NO_SUCH_UPLOAD)
        # Unbuffered: a write the disk refuses fails here, with no bytes left behind in a buffer.
        self.file = open(self.path, "r+b", buffering=0)
        fcntl.flock(self.file.fileno(), fcntl.LOCK_EX)
        return self.file

    def __exit__(self, *exc):
        fcntl.flock(self.file.fileno(), fcntl.LOCK_UN)
        self.file.close()


def _write_chunk(stream, part, offset: int, length: int) -> int:
    """`_copy_at`, except that a chunk the disk could not hold leaves nothing past `offset`: the
    space goes back to the disk and the client resumes from the offset the hub reports."""
    try:
        return _copy_at(stream, part, offset, length)
    except OSError:
        part.truncate(offset)
        raise


def _copy_at(stream, out, offset: int, length: int) -> int:
    """Copy up to `length` bytes of `stream` into `out` at `offset`, a block at a time; returns
    bytes copied."""
    out.seek(offset)
    copied = 0
    while copied < length:
        try:
            block = stream.read(min(COPY_BLOCK, length - copied))
        except Exception:  # the client went away mid-chunk; the offset is not advanced
            return copied
        if not block:
            return copied
        _write_all(out, block)
        copied += len(block)
    return copied


def _write_all(out, block: bytes) -> None:
    # An unbuffered write may take only part of the block (the disk filling up as it goes).
    view = memoryview(block)
    while view:
        view = view[out.write(view) :]
