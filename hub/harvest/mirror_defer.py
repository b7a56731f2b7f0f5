"""A mirror's sync: records outside its selection are withdrawn, files are queued for the window.

Records arrive as in any sync; only their files wait. A file this source delivered before is
attached at once (as `FileFetcher` does); any other is queued in `mirror_files` with what the
parent announced, and fetched, resumed and verified at night by the filler (mirror_fill.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select

from connectors.base import ConnectorError, Delete, RemoteFile, Upsert
from hub.db.models.mirrors import Mirror, MirrorFile
from hub.harvest.files import Fetched, FileFetcher
from hub.harvest.mirror_config import selected

SHA256_RE = re.compile(r"[0-9a-f]{64}")


@dataclass
class Deferred(Fetched):
    """A file to fetch in the mirror's window (nothing downloaded now)."""


class DeferringFetcher(FileFetcher):
    """`FileFetcher` for a mirror: what it would download now is queued instead."""

    def _download(self, remote: RemoteFile, name: str) -> Fetched:
        sha = (remote.sha256 or "").lower()
        if not SHA256_RE.fullmatch(sha) or remote.size is None or remote.size < 0:
            message = (
                "上级平台未给出文件的大小和 SHA-256，镜像无法续传和校验。"
                "The parent hub announced no size and SHA-256 for this file; a mirror needs both "
                "to resume and to verify it."
            )
            return Fetched(remote, None, message, name=name)
        return Deferred(remote, None, name=name)

    def store(self, uow, resource, files: list[Fetched]) -> bool:
        failed = [f for f in files if f.error]
        if failed:
            raise ConnectorError("; ".join(f"{f.name or '?'}: {f.error}" for f in failed))
        have = {f.name: f.sha256 for f in resource.files}
        changed = False
        for f in files:
            if isinstance(f, Deferred):
                queue_file(uow.session, self.source_id, resource, f, have)
            else:
                changed = self._store_one(uow, resource, f, have) or changed
        return changed


def queue_file(session, source_id: int, resource, f: Deferred, have: dict) -> None:
    """Queue (or re-aim) one announced file; a file already here with those bytes leaves it."""
    if resource.id is None:
        session.flush()  # a new record's id is given at flush
    remote, sha = f.remote, f.remote.sha256.lower()
    row = session.scalar(
        select(MirrorFile).where(MirrorFile.resource_id == resource.id, MirrorFile.name == f.name)
    )
    if have.get(f.name) == sha:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = MirrorFile(source_id=source_id, resource_id=resource.id, name=f.name)
        session.add(row)
    elif row.sha256 == sha and row.size == remote.size:
        row.url = remote.url
        return  # the same bytes as queued: keep what is staged
    row.url, row.sha256, row.size = remote.url, sha, remote.size
    row.fetched, row.status, row.attempts, row.error = 0, "pending", 0, None


def mirror_selection(uow, source_id: int) -> dict | None:
    """The mirror's selection (`{}`: everything) when the source is a mirror, else None."""
    with uow() as unit:
        return unit.session.scalar(select(Mirror.selection).where(Mirror.source_id == source_id))


def select_items(items: Iterable, selection: dict) -> Iterator:
    """The parent's items with those outside the selection turned into withdrawals (a record
    that leaves the selection leaves the mirror)."""
    for item in items:
        if isinstance(item, Upsert) and not selected(item.record, selection):
            yield Delete(item.external_id, item.cursor_after)
        else:
            yield item
