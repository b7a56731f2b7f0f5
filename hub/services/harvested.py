"""Records from other sources: idempotent upserts keyed by (source, external id), and tombstones.

These run inside the sync service's unit of work, without permission checks: the source's own settings
(organisation, publish or review) decide, and the sync service has already checked who started it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from hub.db.base import new_id, utcnow
from hub.db.models import Blob, Organisation, Resource, ResourceFile
from hub.services import records


class HarvestedMixin:
    def upsert_harvested(self, uow, *, source_id: int, org_id: int, external_id: str, record: dict,
                         publish: bool = True) -> tuple[Resource, str]:
        fields = {k: v for k, v in record.items() if k in records.EDITABLE_FIELDS}
        fields = self.validate(fields)
        session = uow.session
        resource = session.scalar(select(Resource).where(
            Resource.source_id == source_id, Resource.external_id == external_id))
        outcome = "updated"
        if resource is None:
            resource = self._new_harvested(session, source_id, org_id, external_id)
            outcome = "created"
        elif resource.status == "withdrawn":
            outcome = "updated"  # the source brought it back
        changed = records.apply_fields(resource, fields)
        origin = record.get("origin_url")
        if origin != resource.origin_url:
            resource.origin_url, changed = origin, True
        target = "published" if publish else "submitted"
        if resource.status != target and not (outcome == "updated" and resource.status == "published"):
            resource.status, changed = target, True
        if outcome == "updated" and not changed:
            return resource, "unchanged"
        if resource.status == "published" and resource.published is None:
            resource.published = _parse_time(record.get("published")) or utcnow()
        self.touch(resource)
        session.flush()
        uow.outbox("resource.index", id=resource.id)
        if resource.status == "published":
            uow.change(resource.id, "upsert")
        return resource, outcome

    def tombstone_harvested(self, uow, *, source_id: int, external_id: str) -> str:
        resource = uow.session.scalar(select(Resource).where(
            Resource.source_id == source_id, Resource.external_id == external_id))
        if resource is None or resource.status == "withdrawn":
            return "unchanged"
        was_published = resource.status == "published"
        resource.status = "withdrawn"
        self.touch(resource)
        uow.outbox("resource.index", id=resource.id)
        if was_published:
            uow.change(resource.id, "delete")
        return "deleted"

    def attach_blob(self, uow, resource: Resource, *, name: str, sha256: str, size: int, mimetype: str) -> None:
        """Link a stored object to a resource under `name`, replacing a file of the same name."""
        ensure_blob(uow.session, sha256=sha256, size=size, mimetype=mimetype)
        existing = next((f for f in resource.files if f.name == name), None)
        if existing is not None:
            if existing.sha256 == sha256:
                return
            existing.sha256, existing.size, existing.mimetype = sha256, size, mimetype
        else:
            position = max((f.position for f in resource.files), default=-1) + 1
            resource.files.append(ResourceFile(name=name, sha256=sha256, size=size, mimetype=mimetype,
                                               position=position))
        self.touch(resource)

    def _new_harvested(self, session, source_id: int, org_id: int, external_id: str) -> Resource:
        resource = Resource(id=new_id(), source_id=source_id, external_id=external_id, org_id=org_id, version=1,
                            revision=0, visibility="public", language="zh", description="")
        resource.lineage_id = resource.id
        resource.org = session.get(Organisation, org_id)
        resource.region = resource.org.region if resource.org is not None else None
        session.add(resource)
        return resource


def ensure_blob(session, *, sha256: str, size: int, mimetype: str) -> None:
    """Record a stored object once, even when two uploads of the same bytes race."""
    dialect = session.get_bind().dialect.name
    values = {"sha256": sha256, "size": size, "mimetype": mimetype, "created": utcnow()}
    if dialect == "postgresql":
        session.execute(postgresql.insert(Blob).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(Blob).values(**values).on_conflict_do_nothing())
    elif session.get(Blob, sha256) is None:
        session.add(Blob(**values))


def _parse_time(value):
    from datetime import datetime
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
