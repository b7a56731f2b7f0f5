"""The canonical record: Resource rows to dicts and back."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from hub.db.models import Resource
from metadata.schema import EDITABLE_FIELDS  # noqa: F401  (re-exported: the fields a client may set)

LIST_FIELDS = ("subjects", "grades", "majors", "themes", "keywords", "creators")


def isoformat(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def file_dict(f) -> dict:
    return {"name": f.name, "size": f.size, "sha256": f.sha256, "mimetype": f.mimetype}


def serialize(resource: Resource, source_name: str | None = None) -> dict:
    record = {
        "id": resource.id,
        "lineage_id": resource.lineage_id,
        "version": resource.version,
        "previous_id": resource.previous_id,
        "is_latest": resource.is_latest,
        "revision": resource.revision,
        "status": resource.status,
    }
    for name in EDITABLE_FIELDS:
        value = getattr(resource, name)
        record[name] = list(value or []) if name in LIST_FIELDS else value
    record.update(
        org=resource.org.code if resource.org is not None else None,
        source=source_name,
        external_id=resource.external_id,
        origin_url=resource.origin_url,
        review_comment=resource.review_comment,
        downloads=resource.downloads or 0,
        files=[file_dict(f) for f in resource.files],
        created=isoformat(resource.created),
        updated=isoformat(resource.updated),
        published=isoformat(resource.published),
        links=links(resource),
        work_id=resource.work_id or resource.id,  # the work it is a copy of (hub.services.works)
    )
    if resource.provenance:
        record["provenance"] = resource.provenance
    return record


def links(resource: Resource) -> dict:
    out = {
        "self": f"/api/v1/resources/{resource.id}",
        "html": f"/r/{resource.id}",
        "files": {
            f.name: f"/api/v1/resources/{resource.id}/files/{quote(f.name)}" for f in resource.files
        },
    }
    if resource.previous_id:
        out["previous"] = f"/api/v1/resources/{resource.previous_id}"
    return out


def tombstone(resource: Resource) -> dict:
    """What is still said of a withdrawn record: enough for a harvester to delete its copy."""
    return {
        "id": resource.id,
        "status": "withdrawn",
        "title": resource.title,
        "org": resource.org.code if resource.org is not None else None,
        "external_id": resource.external_id,
        "updated": isoformat(resource.updated),
    }


def apply_fields(resource: Resource, data: dict) -> bool:
    """Copy editable fields from validated data; True if anything changed."""
    changed = False
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in LIST_FIELDS:
            value = list(value or [])
        if getattr(resource, name) != value:
            setattr(resource, name, value)
            changed = True
    return changed
