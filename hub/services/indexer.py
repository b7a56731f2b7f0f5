"""Keeps the search index in step with the database: outbox handlers run by the worker after each
commit.

`resource.index` / `resource.index_batch`: load the resources and index the published latest ones,
delete the rest; every due message is handled in one batch and one index commit (tantivy commits are
expensive).
`file.extract`: extract a stored file's text once per SHA-256, then reindex its resource.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache

from sqlalchemy import String, Text, cast, func, select, type_coerce

from hub.db.models import FileText, Organisation, Rating, Resource, ResourceFile, Source
from hub.search import document_from_record
from hub.services import records, works
from hub.services.extract import MAX_INPUT, Extraction, extract
from hub.services.rating_stats import as_fields, stats_query

log = logging.getLogger(__name__)

CHUNK = 500  # ids per database query
# Exact duplicates are linked as one work before they are indexed (hub.services.works); the
# harvest bench swaps in a no-op to measure what linking costs.
LINK = works.link


def is_indexable(resource: Resource) -> bool:
    """Search holds published latest versions only; visibility is applied at query time."""
    return resource.status == "published" and bool(resource.is_latest)


def source_names(session, resources) -> dict[int, str]:
    ids = {r.source_id for r in resources if r.source_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(ids))).all())


def file_texts(session, resource_ids) -> dict[str, str]:
    """resource id -> the extracted text of its files, in file order (`session`: a session or a
    connection)."""
    rows = session.execute(
        select(ResourceFile.resource_id, FileText.text)
        .join(FileText, FileText.sha256 == ResourceFile.sha256)
        .where(ResourceFile.resource_id.in_(list(resource_ids)))
        .order_by(ResourceFile.position)
    ).all()
    out: dict[str, list[str]] = {}
    for resource_id, text in rows:
        if text:
            out.setdefault(resource_id, []).append(text)
    return {k: "\n".join(v) for k, v in out.items()}


def build(page: list[tuple]) -> list[dict]:
    return [document_from_record(*args) for args in page]


def split(session, ids: list[str]) -> tuple[list[dict], list[str]]:
    """(documents to index, ids to remove from the index) for these resource ids, read as the
    plain columns a rebuild reads (ORM objects and `records.serialize` were a third of a harvest's
    indexing time)."""
    docs, gone = [], []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = session.execute(indexable_rows(ids=chunk)).all()
        texts = file_texts(session, [row.id for row in rows])
        docs += build([row_sources(row, texts.get(row.id)) for row in rows])
        found = {row.id for row in rows}
        gone += [i for i in chunk if i not in found]
    return docs, gone


def index_resources(db, index, ids: Iterable[str]) -> int:
    """Bring these resources' index entries up to date, in one index commit; returns how many were
    indexed."""
    ids = list(dict.fromkeys(str(i) for i in ids if i))
    if not ids:
        return 0
    with db.session() as session:
        ids += sorted(LINK(session, ids) - set(ids))  # copies whose work changed show anew
        session.commit()
        docs, gone = split(session, ids)
    if gone:
        index.delete_documents(gone)
    if docs:
        index.index_documents(docs)
    index.commit()
    return len(docs)


# What `document_from_record` reads of a record, selected as plain columns for rebuilds and the
# outbox (ORM objects and `records.serialize` were half of a rebuild's time). `row_sources` turns a
# row into what `records.serialize` says of the same resource;
# tests/integration/search/test_rebuild_rows.py holds the two to the same documents.
ROW_FIELDS = (
    "id",
    "work_id",
    "title",
    "description",
    "stage",
    "edition",
    "volume",
    "type",
    "license",
    "region",
    "visibility",
    "status",
    "is_latest",
)
# JSON lists, read as their text: the same few texts repeat across records, so each is decoded once.
ROW_LISTS = ("subjects", "grades", "majors", "themes", "keywords")


# What search holds (`is_indexable` in SQL).
INDEXABLE = (Resource.status == "published", Resource.is_latest.is_(True))


def indexable_rows(after: str | None = None, upto: str | None = None, ids: list[str] | None = None):
    """Every indexable resource (with an id after `after` and up to `upto`, when given) as one row
    of the columns its document needs, in id order; with `ids`, only those (their ratings alone
    aggregated)."""
    columns = [getattr(Resource, name) for name in ROW_FIELDS] + [
        cast(getattr(Resource, name), Text) for name in ROW_LISTS
    ]
    ratings = stats_query()
    if ids is not None:
        lineages = select(Resource.lineage_id).where(Resource.id.in_(ids))
        ratings = ratings.where(Rating.lineage_id.in_(lineages))
    ratings = ratings.subquery()
    query = (
        select(
            *columns,
            Resource.downloads,
            # As the driver gives them: `iso_seconds` reads SQLite's text without parsing it.
            type_coerce(Resource.published, String),
            type_coerce(Resource.updated, String),
            Organisation.code,
            Organisation.path,
            Source.name,
            ratings.c.rating_avg,
            ratings.c.rating_count,
        )
        .outerjoin(Organisation, Organisation.id == Resource.org_id)
        .outerjoin(Source, Source.id == Resource.source_id)
        .outerjoin(ratings, ratings.c.lineage_id == Resource.lineage_id)
        .where(*INDEXABLE)
        .where(*([Resource.id > after] if after is not None else []))
        .where(*([Resource.id <= upto] if upto is not None else []))
        .order_by(Resource.id)
    )
    return query if ids is None else query.where(Resource.id.in_(ids))


def row_sources(row, text: str | None) -> tuple:
    """(record, org path, extracted text) from an `indexable_rows` row: the fields
    `records.serialize` gives them (the JSON lists as tuples: the document is the same)."""
    n = len(ROW_FIELDS)
    record = dict(zip(ROW_FIELDS, row))
    for name, value in zip(ROW_LISTS, row[n:]):
        record[name] = _json_list(value) if value else ()
    downloads, published, updated, org_code, org_path, source, average, count = row[
        n + len(ROW_LISTS) :
    ]
    record.update(as_fields(average, count))
    record["org"], record["source"], record["downloads"] = org_code, source, downloads or 0
    record["published"], record["updated"] = iso_seconds(published), iso_seconds(updated)
    return record, org_path if org_code is not None else "/", text


def iso_seconds(value) -> str | None:
    """`records.isoformat` of a date column as the driver gives it (SQLite: its text, e.g.
    "2026-12-06 14:17:49.760284"; PostgreSQL: a datetime), without strftime or, on SQLite,
    parsing: those were a tenth of a rebuild's time."""
    if value is None:
        return None
    if isinstance(value, str):
        if _STORED_DATE.match(value):
            return f"{value[:10]}T{value[11:19]}Z"
        value = datetime.fromisoformat(value)  # any other form, parsed as SQLAlchemy parses it
    if value.year < 1000:  # strftime writes such years unpadded
        return records.isoformat(value)
    return value.isoformat(timespec="seconds")[:19] + "Z"


_STORED_DATE = re.compile(r"[1-9]\d{3}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d{1,6})?$")


@lru_cache(maxsize=65536)
def _json_list(text: str) -> tuple:
    return tuple(json.loads(text) or ())


def indexable_pages(
    db, chunk: int = 1000, after: str | None = None, upto: str | None = None
) -> Iterator[list[tuple]]:
    """Every indexable resource's sources (in an id range, when given), streamed by one query (a
    server-side cursor on PostgreSQL) in pages: one consistent snapshot, and a million rows never
    sit in memory at once."""
    with db.engine.connect() as conn:
        result = conn.execution_options(yield_per=chunk).execute(indexable_rows(after, upto))
        for rows in result.partitions():
            texts = file_texts(conn, [row.id for row in rows])
            yield [row_sources(row, texts.get(row.id)) for row in rows]


def indexable_documents(db, chunk: int = 1000) -> Iterator[dict]:
    """Every indexable resource as an index document, built in this process (for rebuilds;
    `hub.services.rebuild` builds them in worker processes)."""
    for page in indexable_pages(db, chunk):
        yield from build(page)


def count_indexable(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Resource).where(*INDEXABLE))


# -- outbox handlers -------------------------------------------------------------------------------


def handle_index(db, index, payloads: list[dict]) -> None:
    ids = []
    for payload in payloads:
        ids += [payload["id"]] if "id" in payload else list(payload.get("ids") or [])
    index_resources(db, index, ids)


def extract_file(db, storage, sha256: str, mimetype: str | None, name: str | None = None) -> bool:
    """Extract and store the text of one stored file unless done before; True if extracted now."""
    with db.session() as session:
        if session.get(FileText, sha256) is not None:
            return False
        row = session.execute(
            select(ResourceFile.name, ResourceFile.size)
            .where(ResourceFile.sha256 == sha256)
            .limit(1)
        ).first()
    name, size = (name or (row.name if row else None)), (row.size if row else 0)
    found = Extraction("")
    if size <= MAX_INPUT and storage.exists(sha256):
        with storage.open(sha256) as stream:
            found = extract(stream, mimetype, name)  # a limit hit is recorded, never retried
    with db.session() as session:
        if session.get(FileText, sha256) is None:
            session.add(FileText(sha256=sha256, text=found.text, failure=found.failure))
            session.commit()
    return True


def handle_extract(db, index, storage, payloads: list[dict]) -> None:
    for payload in payloads:
        if payload.get("sha256"):
            sha256, mimetype, name = payload["sha256"], payload.get("mimetype"), payload.get("name")
            extract_file(db, storage, sha256, mimetype, name)
    index_resources(db, index, [p["id"] for p in payloads if p.get("id")])
