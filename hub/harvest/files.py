"""Files of harvested records: fetched outside the batch's transaction, checked, stored once.

Nothing the source claims is trusted: a file link must stay on the source's origin or its
allow-listed file hosts; a claimed SHA-256 the hub already stores is reused only when this same
source delivered those bytes before (a peer naming another record's hash gets nothing without
sending it); names are sanitised and the mimetype is always the hub's own sniffing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from connectors.base import ConnectorError, HttpClient, RemoteFile, Upsert
from connectors.outbound import Refused
from hub.db.base import utcnow
from hub.db.models import Blob
from hub.db.models.sources import SourceBlob
from hub.errors import ValidationFailed
from hub.storage.names import sanitise_filename


@dataclass
class Fetched:
    remote: RemoteFile
    path: str | None  # None when this source already delivered these bytes
    error: str | None = None
    name: str = ""  # the sanitised name the file is stored under
    blob: tuple[int, str] | None = None  # (size, mimetype) of the stored bytes being reused


class FileFetcher:
    """Downloads happen outside the database transaction so a slow file never holds a write lock."""

    def __init__(self, *, uow, resources, files, tmp_root: str, http: HttpClient | None = None):
        # resources.attach_blob links stored bytes; files.store_harvested_file stores new ones.
        self.uow, self.resources, self.files = uow, resources, files
        self.http = http or HttpClient()
        os.makedirs(tmp_root, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="sync-", dir=tmp_root)
        self.fetch_files, self.max_bytes, self.source_id = False, 512 * 1024 * 1024, None

    def configure(self, fetch_files: bool, max_bytes: int, source_id: int | None = None) -> None:
        self.fetch_files, self.max_bytes, self.source_id = fetch_files, max_bytes, source_id

    def prepare(self, item: Upsert) -> list[Fetched] | None:
        if not self.fetch_files or not item.files:
            return None
        return [self._fetch(remote) for remote in item.files]

    def store(self, uow, resource, files: list[Fetched]) -> bool:
        """Attach every fetched file; True if anything changed. A failed download fails it all."""
        failed = [f for f in files if f.error]
        if failed:
            raise ConnectorError("; ".join(f"{f.name or '?'}: {f.error}" for f in failed))
        have = {f.name: f.sha256 for f in resource.files}
        changed = [self._store_one(uow, resource, f, have) for f in files]  # all, no short cut
        return any(changed)

    def _store_one(self, uow, resource, f: Fetched, have: dict) -> bool:
        claimed = (f.remote.sha256 or "").lower()
        if f.path is not None and claimed and self.source_id is not None:
            # Downloaded and checked against the claim: this source has now delivered these bytes.
            ensure_source_blob(uow.session, self.source_id, claimed)
        if claimed and have.get(f.name) == claimed:
            return False
        if f.path is None:
            size, mimetype = f.blob
            self.resources.attach_blob(
                uow, resource, name=f.name, sha256=claimed, size=size, mimetype=mimetype
            )
            return True
        with open(f.path, "rb") as stream:
            info = self.files.store_harvested_file(
                uow,
                resource,
                name=f.name,
                stream=stream,
                max_bytes=self.max_bytes,
                expected_sha256=f.remote.sha256,
            )
        if self.source_id is not None:
            ensure_source_blob(uow.session, self.source_id, info["sha256"])
        return have.get(f.name) != info.get("sha256")

    def discard(self, prepared) -> None:
        for files in prepared:
            for f in files or ():
                if f.path:
                    _unlink(f.path)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _fetch(self, remote: RemoteFile) -> Fetched:
        try:
            name = sanitise_filename(remote.name)
            self.http.policy.check_file(remote.url)
        except (ValidationFailed, Refused) as exc:
            return Fetched(remote, None, _message(exc), name=str(remote.name)[:200])
        blob = self._delivered_before(remote)
        if blob is not None:
            return Fetched(remote, None, name=name, blob=blob)
        if remote.size is not None and remote.size > self.max_bytes:
            message = f"{remote.size} bytes is over the source's limit of {self.max_bytes}"
            return Fetched(remote, None, message, name=name)
        return self._download(remote, name)

    def _download(self, remote: RemoteFile, name: str) -> Fetched:
        fd, path = tempfile.mkstemp(dir=self.tmp)
        try:
            with os.fdopen(fd, "wb") as sink:
                size, _sha = self.http.stream_to(
                    remote.url,
                    sink,
                    headers=remote.headers or None,
                    max_bytes=self.max_bytes,
                    expected_sha256=remote.sha256,
                )
        except ConnectorError as exc:
            _unlink(path)
            return Fetched(remote, None, str(exc), name=name)
        if remote.size is not None and size != remote.size:
            _unlink(path)
            message = f"{size} bytes arrived where the source announced {remote.size}"
            return Fetched(remote, None, message, name=name)
        return Fetched(remote, path, name=name)

    def _delivered_before(self, remote: RemoteFile) -> tuple[int, str] | None:
        """(size, mimetype) of the claimed bytes when this source sent exactly them before."""
        if not remote.sha256 or remote.size is None or self.source_id is None:
            return None
        sha = remote.sha256.lower()
        with self.uow() as uow:
            row = uow.session.execute(
                select(Blob.size, Blob.mimetype)
                .join(SourceBlob, SourceBlob.sha256 == Blob.sha256)
                .where(SourceBlob.source_id == self.source_id, Blob.sha256 == sha)
            ).first()
        if row is None or row.size != remote.size:
            return None
        return row.size, row.mimetype


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationFailed):
        return exc.message
    return str(exc)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def ensure_source_blob(session, source_id: int, sha256: str) -> None:
    """Remember that this source delivered these bytes itself (it may name them again unsent)."""
    dialect = session.get_bind().dialect.name
    values = {"source_id": source_id, "sha256": sha256, "created": utcnow()}
    if dialect == "postgresql":
        session.execute(postgresql.insert(SourceBlob).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(SourceBlob).values(**values).on_conflict_do_nothing())
    elif session.get(SourceBlob, (source_id, sha256)) is None:
        session.add(SourceBlob(**values))
