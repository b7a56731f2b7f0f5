"""Which records a bundle holds: published, readable by the caller, matching filters or ids."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.db.models import Organisation, Resource
from hub.db.models.sources import Source
from hub.errors import ValidationFailed
from hub.search.base import MAX_SIZE, MAX_WINDOW
from hub.security.principal import Principal, region_prefix
from hub.services import permissions
from metadata import majors

# Search parameter -> canonical record field; list fields match when any value is named.
FILTERS = {
    "stage": "stage",
    "subject": "subjects",
    "grade": "grades",
    "major": "majors",
    "edition": "edition",
    "volume": "volume",
    "type": "type",
    "theme": "themes",
    "region": "region",
    "org": "org",
    "source": "source",
}
_BATCH = 500


def selected_records(
    db, resources, search, actor: Principal, query: dict, ids: list[str] | None = None
) -> Iterator[dict]:
    """Canonical records, oldest first. `query`: {"q": str, name: [values]}, API names.

    `db` is read, `resources` serializes, `search` (the search service) matches the words."""
    filters = {k: list(v) for k, v in query.items() if k in FILTERS and v}
    unknown = set(query) - set(FILTERS) - {"q"}
    if unknown:
        raise ValidationFailed.from_messages(
            {name: ["未知的筛选条件。Unknown filter."] for name in unknown}
        )
    wanted = set(ids) if ids is not None else None
    if query.get("q"):
        found = _search_ids(search, actor, query["q"], filters)
        wanted = found if wanted is None else wanted & found
    with db.session() as session:
        org_paths = _org_paths(session, filters.get("org", []))
        for resource in _published(session, actor, wanted):
            record = resources.serialize(resource, session)
            if _matches(record, resource, filters, org_paths):
                yield record


def _published(session, actor: Principal, wanted: set[str] | None):
    """Ids first (small), then the records in chunks: memory grows with the ids, not the records."""
    ids = (
        select(Resource.id)
        .outerjoin(Organisation, Organisation.id == Resource.org_id)
        .where(Resource.status == "published")
        .where(permissions.published_visibility_clause(actor))
        .order_by(Resource.created, Resource.id)
    )
    ordered = [i for i in session.scalars(ids) if wanted is None or i in wanted]
    for start in range(0, len(ordered), _BATCH):
        chunk = ordered[start : start + _BATCH]
        loaded = session.scalars(
            select(Resource).where(Resource.id.in_(chunk)).options(selectinload(Resource.files))
        ).unique()
        by_id = {r.id: r for r in loaded}
        yield from (by_id[i] for i in chunk)
        session.expunge_all()


def _search_ids(search, actor: Principal, q: str, filters: dict) -> set[str]:
    """The search engine's matches for the words, up to its paging window."""
    found: set[str] = set()
    for page in range(1, MAX_WINDOW // MAX_SIZE + 1):
        result = search.search(actor, q=q, filters=filters, page=page, size=MAX_SIZE, facets=())
        found.update(hit["id"] for hit in result["hits"])
        if page * MAX_SIZE >= result["total"]:
            break
    return found


def _org_paths(session, codes: list[str]) -> list[str]:
    if not codes:
        return []
    return list(session.scalars(select(Organisation.path).where(Organisation.code.in_(codes))))


def _matches(record: dict, resource: Resource, filters: dict, org_paths: list[str]) -> bool:
    for name, values in filters.items():
        if name == "org":
            path = resource.org.path if resource.org is not None else ""
            if not any(path.startswith(p) for p in org_paths):
                return False
        elif not field_matches(record, name, values):
            return False
    return True


def field_matches(record: dict, name: str, values: list[str]) -> bool:
    """Whether a record (a peer's too) matches one search filter on its own fields (not `org`):
    a list field when it names any of the values, a region when it is one or lies within one."""
    field = FILTERS[name]
    if name == "major":  # as in search: a category also finds its classes
        listed = record.get(field) if isinstance(record.get(field), list) else []
        return bool(
            set(majors.with_parents([m for m in listed if isinstance(m, str)])) & set(values)
        )
    if name == "region":
        region = record.get("region") if isinstance(record.get("region"), str) else ""
        return any(region == v or region.startswith(region_prefix(v)) for v in values)
    if isinstance(record.get(field), list):
        return any(isinstance(v, str) and v in values for v in record[field])
    return isinstance(record.get(field), str) and record[field] in values


def estimate(db, search, actor: Principal, query: dict, cap: int = MAX_WINDOW) -> dict:
    """What a bundle of `query` would hold for `actor`: records, distinct files and their bytes.

    The export's selection, matched on the filtered fields only (no record is serialised), up to
    `cap` records (`capped` says it stopped there)."""
    filters = {k: list(v) for k, v in query.items() if k in FILTERS and v}
    wanted = _search_ids(search, actor, query["q"], filters) if query.get("q") else None
    records, sizes, capped = 0, {}, False
    with db.session() as session:
        org_paths = _org_paths(session, filters.get("org", []))
        sources = dict(session.execute(select(Source.id, Source.name)).all())
        for resource in _published(session, actor, wanted):
            if not _matches(_facets(resource, sources), resource, filters, org_paths):
                continue
            if records >= cap:
                capped = True
                break
            records += 1
            sizes.update((f.sha256, f.size) for f in resource.files)
    return {
        "resources": records,
        "files": len(sizes),
        "bytes": sum(sizes.values()),
        "capped": capped,
    }


def _facets(resource: Resource, sources: dict) -> dict:
    """The fields `_matches` reads, as `serialize` spells them."""
    record = {
        field: getattr(resource, field) for field in set(FILTERS.values()) - {"org", "source"}
    }
    return record | {"source": sources.get(resource.source_id)}
