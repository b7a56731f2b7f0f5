"""Harvested records written as ORM objects: for batches with files to attach, and retries.

Keyed by (source, external id); the rule in `hub.harvest.apply` decides, this module persists.
It runs inside the sync's unit of work without permission checks: the source's settings
(organisation, publish or review) decide; the sync service checked who started it.
"""

from __future__ import annotations

from sqlalchemy import select

from hub.db.base import new_id, utcnow
from hub.db.models import Organisation, Resource
from hub.harvest import apply
from hub.harvest.validate import validate_harvested

_UNKNOWN = object()  # memo: not looked up yet (None means looked up and absent)
_LOOKUP = 500  # external ids per IN (...) list


def preload(uow, source_id: int, external_ids) -> None:
    """Look up a batch's existing records in one query, so upserts and tombstones need none."""
    wanted = [
        e
        for e in dict.fromkeys(external_ids)
        if uow.memo.get(_key(source_id, e), _UNKNOWN) is _UNKNOWN
    ]
    with uow.session.no_autoflush:
        for start in range(0, len(wanted), _LOOKUP):
            chunk = wanted[start : start + _LOOKUP]
            for e in chunk:
                uow.memo[_key(source_id, e)] = None
            query = select(Resource).where(
                Resource.source_id == source_id, Resource.external_id.in_(chunk)
            )
            for resource in uow.session.scalars(query).unique():
                uow.memo[_key(source_id, resource.external_id)] = resource


def upsert(
    uow, *, source_id: int, org_id: int, external_id: str, record: dict, publish: bool = True
) -> tuple[Resource, str]:
    """Raises ValidationFailed before changing anything when the record is invalid."""
    fields = validate_harvested(record)
    resource = _harvested(uow, source_id, external_id)
    new = resource is None
    if new:
        resource = _new(uow, source_id, org_id, external_id)
    state = _state(resource)
    applied = apply.upsert(state, fields, record, new=new, publish=publish, now=utcnow())
    _persist(uow, resource, applied)
    return resource, applied.outcome


def tombstone(uow, *, source_id: int, external_id: str) -> str:
    resource = _harvested(uow, source_id, external_id)
    applied = apply.tombstone(None if resource is None else _state(resource), now=utcnow())
    if resource is not None:
        _persist(uow, resource, applied)
    return applied.outcome


def find(uow, source_id: int, external_id: str) -> Resource | None:
    """The record this source brought first under `external_id` (memoised), or None."""
    return _harvested(uow, source_id, external_id)


def forget(uow, source_id: int, external_id: str) -> None:
    """Drop a memo entry whose changes were rolled back (a failed record's savepoint)."""
    uow.memo.pop(_key(source_id, external_id), None)


def _persist(uow, resource: Resource, applied: apply.Applied) -> None:
    if not applied.values:
        return
    for name, value in applied.values.items():
        setattr(resource, name, value)
    uow.index_later(resource.id)
    if applied.change:
        uow.change(resource.id, applied.change)


def _state(resource: Resource) -> dict:
    return {name: getattr(resource, name) for name in apply.STATE_COLUMNS}


def _harvested(uow, source_id: int, external_id: str) -> Resource | None:
    resource = uow.memo.get(_key(source_id, external_id), _UNKNOWN)
    if resource is _UNKNOWN:
        # No autoflush: a sync batch writes everything at commit, not one flush per record.
        with uow.session.no_autoflush:
            resource = uow.session.scalar(
                select(Resource).where(
                    Resource.source_id == source_id, Resource.external_id == external_id
                )
            )
        uow.memo[_key(source_id, external_id)] = resource
    return resource


def _new(uow, source_id: int, org_id: int, external_id: str) -> Resource:
    org_key = ("org", org_id)
    if org_key not in uow.memo:
        uow.memo[org_key] = uow.session.get(Organisation, org_id)
    org = uow.memo[org_key]
    state = apply.blank_state(org.region if org is not None else None)
    resource = Resource(**state, **_identity(source_id, org_id, external_id))
    resource.files = []
    resource.org = org
    uow.memo[_key(source_id, external_id)] = resource
    uow.session.add(resource)
    return resource


def _identity(source_id: int, org_id: int, external_id: str) -> dict:
    """A new harvested record's own columns, beside `new_resource_defaults()`."""
    resource_id = new_id()
    return {
        **apply.ROW_DEFAULTS,
        "id": resource_id,
        "lineage_id": resource_id,
        "org_id": org_id,
        "source_id": source_id,
        "external_id": external_id,
    }


def _key(source_id: int, external_id: str) -> tuple:
    return ("harvested", source_id, external_id)
