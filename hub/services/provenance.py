"""What a record says of where it came from: every path that brings it, and the other copies of
the same work ("also from"), added to its canonical JSON."""

from __future__ import annotations

from sqlalchemy import select

from hub.db.models import Organisation, Resource
from hub.db.models.sources import Source

_SOURCES = "eduhub.sources"  # session.info cache: source id -> (name, kind, url)


def annotate(session, resource: Resource, record: dict) -> dict:
    """`record` (its canonical JSON) with `provenance.paths`, `work_id` and `also_from`."""
    paths = paths_of(session, resource)
    if paths:
        record["provenance"] = {**(record.get("provenance") or {}), "paths": paths}
    record["work_id"] = resource.work_id or resource.id
    record["also_from"] = also_from(session, resource)
    return record


def paths_of(session, resource: Resource) -> list[dict]:
    """The record's first path (its own source), then each further one in the order it came."""
    if resource.source_id is None:
        return []
    via = (resource.provenance or {}).get("via") or []
    first = _path(session, resource.source_id, resource.external_id, resource.origin_url, via)
    return [first] + [
        _path(session, p.source_id, p.external_id, p.origin_url, p.via or [])
        for p in resource.paths
    ]


def _path(session, source_id: int, external_id, origin_url, via) -> dict:
    name, kind, url = _source(session, source_id)
    return {
        "source": name,
        "kind": kind,
        "hub": url,
        "external_id": external_id,
        "url": origin_url,
        "via": list(via),
    }


def _source(session, source_id: int) -> tuple:
    cache = session.info.setdefault(_SOURCES, {})
    if source_id not in cache:
        row = session.execute(
            select(Source.name, Source.kind, Source.url).where(Source.id == source_id)
        ).first()
        cache[source_id] = tuple(row) if row else (None, None, None)
    return cache[source_id]


def also_from(session, resource: Resource) -> list[dict]:
    """The other published public copies of this record's work, oldest first."""
    if not resource.work_id:
        return []
    rows = session.execute(
        select(Resource.id, Resource.title, Organisation.code, Resource.source_id)
        .outerjoin(Organisation, Organisation.id == Resource.org_id)
        .where(
            Resource.work_id == resource.work_id,
            Resource.id != resource.id,
            Resource.status == "published",
            Resource.is_latest.is_(True),
            Resource.visibility == "public",
        )
        .order_by(Resource.published, Resource.id)
        .limit(50)
    ).all()
    return [
        {
            "id": rid,
            "title": title,
            "org": org,
            "source": _source(session, source_id)[0] if source_id else None,
            "links": {"self": f"/api/v1/resources/{rid}", "html": f"/r/{rid}"},
        }
        for rid, title, org, source_id in rows
    ]
