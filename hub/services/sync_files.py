"""Files of harvested records: fetched before the batch's transaction, checked, then stored once by SHA-256."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass

from sqlalchemy import select

from connectors.base import ConnectorError, HttpClient, RemoteFile, Upsert
from hub.db.models import Blob


@dataclass
class Fetched:
    remote: RemoteFile
    path: str | None  # None when the bytes are already stored (known SHA-256)
    error: str | None = None


class FileFetcher:
    """Downloads happen outside the database transaction so a slow file never holds a write lock."""

    def __init__(self, hub, http: HttpClient | None = None):
        self.hub = hub
        self.http = http or HttpClient()
        self.tmp = tempfile.mkdtemp(prefix="sync-", dir=self._tmp_root())

        self.fetch_files, self.max_bytes = False, 512 * 1024 * 1024

    def configure(self, fetch_files: bool, max_bytes: int) -> None:
        self.fetch_files, self.max_bytes = fetch_files, max_bytes

    def prepare(self, item: Upsert) -> list[Fetched] | None:
        if not self.fetch_files or not item.files:
            return None
        return [self._fetch(remote) for remote in item.files]

    def store(self, uow, resource, files: list[Fetched]) -> bool:
        """Attach every fetched file; True if anything changed. A failed download fails the record."""
        failed = [f for f in files if f.error]
        if failed:
            raise ConnectorError("; ".join(f"{f.remote.name}: {f.error}" for f in failed))
        have = {f.name: f.sha256 for f in resource.files}
        changed = False
        for f in files:
            if f.remote.sha256 and have.get(f.remote.name) == f.remote.sha256.lower():
                continue
            if f.path is None:
                self.hub.resources.attach_blob(
                    uow,
                    resource,
                    name=f.remote.name,
                    sha256=f.remote.sha256.lower(),
                    size=f.remote.size,
                    mimetype=f.remote.mimetype,
                )
            else:
                with open(f.path, "rb") as stream:
                    info = self.hub.files.store_harvested_file(
                        uow,
                        resource,
                        name=f.remote.name,
                        stream=stream,
                        max_bytes=self.max_bytes,
                        expected_sha256=f.remote.sha256,
                    )
                if have.get(f.remote.name) == info.get("sha256"):
                    continue
            changed = True
        return changed

    def discard(self, prepared) -> None:
        for files in prepared:
            for f in files or ():
                if f.path:
                    _unlink(f.path)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _fetch(self, remote: RemoteFile) -> Fetched:
        if remote.sha256 and remote.size is not None and self._stored(remote.sha256):
            return Fetched(remote, None)
        if remote.size is not None and remote.size > self.max_bytes:
            return Fetched(
                remote, None, f"{remote.size} bytes is over the source's limit of {self.max_bytes}"
            )
        fd, path = tempfile.mkstemp(dir=self.tmp)
        try:
            with os.fdopen(fd, "wb") as sink:
                self.http.stream_to(
                    remote.url,
                    sink,
                    headers=remote.headers or None,
                    max_bytes=self.max_bytes,
                    expected_sha256=remote.sha256,
                )
        except ConnectorError as exc:
            _unlink(path)
            return Fetched(remote, None, str(exc))
        return Fetched(remote, path)

    def _stored(self, sha256: str) -> bool:
        with self.hub.uow() as uow:
            return (
                uow.session.scalar(select(Blob.sha256).where(Blob.sha256 == sha256.lower()))
                is not None
            )

    def _tmp_root(self) -> str:
        root = os.path.join(str(self.hub.config.data_dir), "tmp")
        os.makedirs(root, exist_ok=True)
        return root


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
