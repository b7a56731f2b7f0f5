"""Records from other sources: idempotent upserts keyed by (source, external id), and tombstones.

These run inside the sync service's unit of work, without permission checks: the source's own settings
(organisation, publish or review) decide, and the sync service has already checked who started it.
A sync batch calls `preload_harvested` first, so a batch costs one lookup query, not one per record. These
ORM upserts serve batches with files and failure retries; other batches go page-at-a-time through
`hub.services.harvest_batch`, which keeps the same rules.
"""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from connectors.outbound import public_link
from hub.db.base import new_id, utcnow
from hub.db.models import Blob, Organisation, Resource, ResourceFile
from hub.db.models.sources import SourceBlob
from hub.errors import ValidationFailed
from hub.services import records

_UNKNOWN = object()  # memo: not looked up yet (None means looked up and absent)
_VALIDATORS: dict[str, object] = {}


class HarvestedMixin:
    def preload_harvested(self, uow, source_id: int, external_ids) -> None:
        """Look up a batch's existing records in one query, so upserts and tombstones need none."""
        wanted = [
            e
            for e in dict.fromkeys(external_ids)
            if uow.memo.get(_key(source_id, e), _UNKNOWN) is _UNKNOWN
        ]
        with uow.session.no_autoflush:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for e in chunk:
                    uow.memo[_key(source_id, e)] = None
                for resource in uow.session.scalars(
                    select(Resource).where(
                        Resource.source_id == source_id, Resource.external_id.in_(chunk)
                    )
                ).unique():
                    uow.memo[_key(source_id, resource.external_id)] = resource

    def upsert_harvested(
        self,
        uow,
        *,
        source_id: int,
        org_id: int,
        external_id: str,
        record: dict,
        publish: bool = True,
    ) -> tuple[Resource, str]:
        """Raises ValidationFailed before changing anything when the record is invalid."""
        fields = self.validate_harvested(
            {k: v for k, v in record.items() if k in records.EDITABLE_FIELDS}
        )
        resource = self._harvested(uow, source_id, external_id)
        outcome = "updated"
        if resource is None:
            resource = self._new_harvested(uow, source_id, org_id, external_id)
            uow.memo[_key(source_id, external_id)] = resource
            outcome = "created"
        changed = records.apply_fields(resource, fields)
        provenance = record.get("provenance") if isinstance(record.get("provenance"), dict) else {}
        origin_url = public_link(record.get("origin_url"))
        for name, value in (("origin_url", origin_url), ("provenance", provenance)):
            if getattr(resource, name) != value:
                setattr(resource, name, value)
                changed = True
        target = "published" if publish else "submitted"
        if resource.status != target and not (
            outcome == "updated" and resource.status == "published"
        ):
            resource.status, changed = target, True
        if outcome == "updated" and not changed:
            return resource, "unchanged"
        if resource.status == "published" and resource.published is None:
            resource.published = parse_time(record.get("published")) or utcnow()
        self.touch(resource)
        uow.index_later(resource.id)
        if resource.status == "published":
            uow.change(resource.id, "upsert")
        return resource, outcome

    def tombstone_harvested(self, uow, *, source_id: int, external_id: str) -> str:
        resource = self._harvested(uow, source_id, external_id)
        if resource is None or resource.status == "withdrawn":
            return "unchanged"
        was_published = resource.status == "published"
        resource.status = "withdrawn"
        self.touch(resource)
        uow.index_later(resource.id)
        if was_published:
            uow.change(resource.id, "delete")
        return "deleted"

    def validate_harvested(self, fields: dict) -> dict:
        """The input schema's result. Validation cached by groups of fields (as the bulk importer's), when it passes
        (the free text checked field by field); a record it refuses is loaded by the input schema itself, so
        the error messages are the schema's."""
        loaded = _cached_validator().load(fields)
        if loaded is not None:
            return {k: v for k, v in loaded.items() if k in records.EDITABLE_FIELDS}
        try:
            return _input_schema().load(fields)
        except ValidationError as exc:
            raise ValidationFailed.from_messages(exc.messages) from None

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

    @staticmethod
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

    def _new_harvested(self, uow, source_id: int, org_id: int, external_id: str) -> Resource:
        resource = Resource(
            id=new_id(),
            source_id=source_id,
            external_id=external_id,
            org_id=org_id,
            version=1,
            revision=0,
            visibility="public",
            language="zh",
            description="",
            files=[],
            provenance={},
        )
        resource.lineage_id = resource.id
        org_key = ("org", org_id)
        if org_key not in uow.memo:
            uow.memo[org_key] = uow.session.get(Organisation, org_id)
        resource.org = uow.memo[org_key]
        resource.region = resource.org.region if resource.org is not None else None
        uow.session.add(resource)
        return resource


def forget_harvested(uow, source_id: int, external_id: str) -> None:
    """Drop a memo entry whose changes were rolled back (a failed record's savepoint)."""
    uow.memo.pop(_key(source_id, external_id), None)


def _key(source_id: int, external_id: str) -> tuple:
    return ("harvested", source_id, external_id)


def _cached_validator():
    # Built once, its caches (each bounded) kept for the life of the process: sources repeat vocabulary values,
    # keywords and creators from record to record and from run to run.
    validator = _VALIDATORS.get("cached")
    if validator is None:
        from hub.services.validation import GroupedValidator

        validator = _VALIDATORS["cached"] = GroupedValidator(rest_schema=TextFields())
    return validator


def _input_schema():
    schema = _VALIDATORS.get("input")
    if schema is None:
        from metadata.schema import ResourceInputSchema

        schema = _VALIDATORS["input"] = ResourceInputSchema()
    return schema


class TextFields:
    """The `rest_schema` of harvested records' GroupedValidator: what is left of a harvested record once the cached groups
    are taken out is free text (title, description, chapter), which no schema-level rule involves, so each is
    checked by its own field, at a third of the cost of a schema load. Anything else is refused, and the caller
    then loads the whole record with the input schema."""

    NAMES = ("title", "description", "chapter")

    def __init__(self):
        from metadata.schema import ResourceInputSchema

        self.fields = ResourceInputSchema(only=self.NAMES).fields

    def load(self, data: dict) -> dict:
        if "title" not in data or not set(data) <= set(self.NAMES):
            raise ValidationError("the input schema decides")
        return {
            name: self.fields[name].deserialize(value, name, data) for name, value in data.items()
        }


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


def parse_time(value):
    from datetime import datetime

    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
