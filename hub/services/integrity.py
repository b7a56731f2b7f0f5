"""Integrity check: every stored object re-hashed against its key, and every recorded blob present
in the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select, update

from hub.db.base import utcnow
from hub.db.models import Blob, Resource, ResourceFile

VERIFIED_BATCH = 500


@dataclass
class BadObject:
    sha256: str
    problem: str  # "corrupt" (bytes no longer match the key) or "missing" (recorded, not stored)
    resources: list[tuple[str, str]] = field(
        default_factory=list
    )  # (id, title) of resources using it


@dataclass
class CheckReport:
    checked: int = 0
    bad: list[BadObject] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad


def check_objects(hub, *, progress: Callable[[int], None] | None = None) -> CheckReport:
    """Re-hash every stored object; `progress(1)` per object. Marks good blobs as verified now."""
    report, seen, good = CheckReport(), set(), []
    store = hub.storage
    for sha256 in store.iter_keys():
        seen.add(sha256)
        report.checked += 1
        if store.verify(sha256):
            good.append(sha256)
            if len(good) >= VERIFIED_BATCH:
                _mark_verified(hub, good)
                good = []
        else:
            report.bad.append(BadObject(sha256, "corrupt"))
        if progress:
            progress(1)
    _mark_verified(hub, good)
    report.bad += [BadObject(sha, "missing") for sha in _recorded_blobs(hub) if sha not in seen]
    _attach_users(hub, report.bad)
    return report


def count_recorded(hub) -> int:
    """How many blobs the database records: the progress bar's total."""

    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(Blob)) or 0


def _recorded_blobs(hub):
    with hub.db.session() as session:
        yield from session.scalars(select(Blob.sha256).execution_options(yield_per=10_000))


def _mark_verified(hub, hashes: list[str]) -> None:
    if not hashes:
        return
    table = Blob.__table__
    statement = (
        update(table).where(table.c.sha256 == bindparam("key")).values(verified=bindparam("at"))
    )
    now = utcnow()
    with hub.db.engine.begin() as connection:
        connection.execute(statement, [{"key": h, "at": now} for h in hashes])


def _attach_users(hub, bad: list[BadObject]) -> None:
    """Name the resources each bad object belongs to, so the operator knows what to re-upload."""
    if not bad:
        return
    by_hash = {b.sha256: b for b in bad}
    with hub.db.session() as session:
        for start in range(0, len(bad), 500):
            keys = list(by_hash)[start : start + 500]
            rows = session.execute(
                select(ResourceFile.sha256, Resource.id, Resource.title)
                .join(Resource, Resource.id == ResourceFile.resource_id)
                .where(ResourceFile.sha256.in_(keys))
                .order_by(Resource.id)
            )
            for sha256, resource_id, title in rows:
                by_hash[sha256].resources.append((resource_id, title))
