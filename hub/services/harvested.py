"""Harvested records and stored objects as the resource service sees them (see `hub.harvest`)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from hub.db.base import utcnow
from hub.db.models import Blob, Resource, ResourceFile
from hub.harvest import orm
from hub.harvest.validate import validate_harvested


class HarvestedMixin:
    """The ORM harvest writer, reached through the resource service (rule: `hub.harvest.apply`)."""

    def preload_harvested(self, uow, source_id: int, external_ids) -> None:
        orm.preload(uow, source_id, external_ids)

    def upsert_harvested(self, uow, **item) -> tuple[Resource, str]:
        return orm.upsert(uow, **item)

    def tombstone_harvested(self, uow, *, source_id: int, external_id: str) -> str:
        return orm.tombstone(uow, source_id=source_id, external_id=external_id)

    def validate_harvested(self, fields: dict) -> dict:
        return validate_harvested(fields)

    def attach_blob(
        self, uow, resource: Resource, *, name: str, sha256: str, size: int, mimetype: str
    ) -> None:
        """Link a stored object to a resource under `name`, replacing a file of the same name."""
        ensure_blob(uow.session, sha256=sha256, size=size, mimetype=mimetype)
        existing = next((f for f in resource.files if f.name == name), None)
        if existing is not None:
            if existing.sha256 == sha256:
                return
            existing.sha256, existing.size, existing.mimetype = sha256, size, mimetype
        else:
            position = max((f.position for f in resource.files), default=-1) + 1
            resource.files.append(
                ResourceFile(
                    name=name, sha256=sha256, size=size, mimetype=mimetype, position=position
                )
            )
        self.touch(resource)


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
