"""Works: exact duplicates (the same set of file hashes, or the same national id) uploaded or
harvested separately are linked as copies of one work, so search shows the work once.

A work is named by its lead record's id (`Resource.work_id`; None: a work of one). The lead is
the copy search shows: public before restricted, then the first published. Linking runs in bulk
for the resources the indexer is about to index (after their commit), a few queries per chunk,
never a comparison of every record with every other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import bindparam, or_, select

from hub.db.models import Resource, ResourceFile

TABLE = Resource.__table__
CHUNK = 500
NATIONAL = "national:"  # origin keys of the national platform's records (metadata.provenance)
_COLUMNS = (
    Resource.id,
    Resource.status,
    Resource.is_latest,
    Resource.visibility,
    Resource.published,
    Resource.origin_key,
    Resource.work_id,
    Resource.fingerprint,
)


def fingerprint(hashes: Iterable[str]) -> str | None:
    """The SHA-256 of a record's sorted distinct file hashes; None without files."""
    unique = sorted(set(hashes))
    if not unique:
        return None
    return hashlib.sha256("\n".join(unique).encode()).hexdigest()


def link(session, ids: Iterable[str]) -> set[str]:
    """Link these resources with their exact duplicates; the ids whose work changed (to index).
    The caller commits."""
    ids = list(dict.fromkeys(ids))
    changed: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        changed |= _link_chunk(session, ids[start : start + CHUNK])
    return changed


def _link_chunk(session, ids: list[str]) -> set[str]:
    query = select(*_COLUMNS).where(Resource.id.in_(ids))
    rows = {r.id: dict(r._mapping) for r in session.execute(query)}
    _refresh_fingerprints(session, rows)
    live = [r for r in rows.values() if _is_live(r)]
    changed: set[str] = set()
    for row in rows.values():
        if not _is_live(row) and row["work_id"]:
            changed |= leave(session, row["id"], row["work_id"])
    changed |= _join_works(session, live)
    return changed


def _is_live(row) -> bool:
    return row["status"] == "published" and bool(row["is_latest"])


def _refresh_fingerprints(session, rows: dict) -> None:
    hashes: dict[str, list[str]] = {i: [] for i in rows}
    query = select(ResourceFile.resource_id, ResourceFile.sha256).where(
        ResourceFile.resource_id.in_(list(rows))
    )
    for resource_id, sha256 in session.execute(query).all():
        hashes[resource_id].append(sha256)
    stale = []
    for resource_id, row in rows.items():
        value = fingerprint(hashes[resource_id])
        if row["fingerprint"] != value:
            row["fingerprint"] = value
            stale.append({"_id": resource_id, "fingerprint": value})
    if stale:  # executemany: one statement for the chunk
        session.execute(TABLE.update().where(TABLE.c.id == bindparam("_id")), stale)


def _keys(row) -> list:
    national = row["origin_key"] if (row["origin_key"] or "").startswith(NATIONAL) else None
    return [k for k in (row["fingerprint"], national) if k]


def _join_works(session, live: list[dict]) -> set[str]:
    """Each live record joins the work of the live records that share a key with it."""
    prints = {r["fingerprint"] for r in live if r["fingerprint"]}
    nationals = {k for r in live for k in _keys(r) if k.startswith(NATIONAL)}
    if not prints and not nationals:
        return set()
    found = session.execute(
        select(*_COLUMNS).where(
            Resource.status == "published",
            Resource.is_latest.is_(True),
            or_(Resource.fingerprint.in_(prints), Resource.origin_key.in_(nationals)),
        )
    ).all()
    others = [dict(r._mapping) for r in found]
    changed: set[str] = set()
    for row in live:
        keys = set(_keys(row))
        group = [o for o in others if keys & set(_keys(o))]
        if len(group) > 1:
            changed |= _unite(session, group)
    return changed


def _unite(session, group: list[dict]) -> set[str]:
    """One work for the group: the work one of them already leads, else a new one."""
    # A work one of them is in already (linked earlier, or merged by a person) is kept.
    led = sorted(r["work_id"] for r in group if r["work_id"])
    lead = led[0] if led else min(group, key=_lead_order)["id"]
    changed = set()
    for row in group:
        if row["work_id"] != lead:
            row["work_id"] = lead
            _set(session, row["id"], work_id=lead)
            changed.add(row["id"])
    return changed


def _lead_order(row) -> tuple:
    return (row["visibility"] != "public", row["published"] is None, row["published"], row["id"])


def leave(session, resource_id: str, work_id: str) -> set[str]:
    """A record leaves its work (withdrawn, superseded or unmerged); if it led, the next copy
    leads. The ids whose work changed."""
    _set(session, resource_id, work_id=None)
    changed = {resource_id}
    members = [
        dict(r._mapping)
        for r in session.execute(
            select(*_COLUMNS).where(Resource.work_id == work_id, Resource.id != resource_id)
        ).all()
    ]
    live = [m for m in members if _is_live(m)]
    if work_id != resource_id or not live:
        if len(live) == 1 and live[0]["id"] == work_id:
            _set(session, work_id, work_id=None)  # a work of one again
            changed.add(work_id)
        return changed
    lead = min(live, key=_lead_order)["id"]
    for member in members:
        _set(session, member["id"], work_id=lead if len(live) > 1 else None)
        changed.add(member["id"])
    return changed


def _set(session, resource_id: str, **values) -> None:
    session.execute(TABLE.update().where(TABLE.c.id == resource_id).values(**values))
