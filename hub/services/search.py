"""Search for callers: filters by code, visibility applied, hits as canonical records from the
database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace

from sqlalchemy import bindparam, select

from hub.db.models import Organisation, Resource, ResourceFile, Source
from hub.errors import HubError, ServiceUnavailable, ValidationFailed
from hub.search import FACETS, Scope, SearchQuery
from hub.search.labels import FacetLabels
from hub.security.principal import Principal
from hub.services import indexer, permissions, rebuild, records

log = logging.getLogger(__name__)

# API parameter -> index field (the API speaks in singular names, as the search form does).
PARAMS = {
    "stage": "stage",
    "subject": "subjects",
    "grade": "grades",
    "major": "majors",
    "edition": "edition",
    "volume": "volume",
    "type": "type",
    "theme": "themes",
    "region": "region",
    "org": "org_tree",
    "license": "license",
    "source": "source",
}
FACET_PARAMS = {
    "stage": "stage",
    "subjects": "subject",
    "grades": "grade",
    "majors": "major",
    "edition": "edition",
    "volume": "volume",
    "type": "type",
    "themes": "theme",
    "region": "region",
    "org": "org",
    "license": "license",
    "source": "source",
}
FACET_FIELDS = {name: field for field, name in FACET_PARAMS.items()}
# Built once, so SQLAlchemy reuses the compiled SQL (an IN list of expanding parameters) on every
# search. A page of hits is one statement: each record with its organisation, its source's name and
# its files, one row per file (a record without files has one row with no file).
_HITS = (
    select(
        Resource.__table__,
        Organisation.code.label("org_code"),
        Organisation.path.label("org_path"),
        Source.name.label("source_name"),
        ResourceFile.name.label("file_name"),
        ResourceFile.size.label("file_size"),
        ResourceFile.sha256.label("file_sha256"),
        ResourceFile.mimetype.label("file_mimetype"),
    )
    .outerjoin(Organisation, Organisation.id == Resource.org_id)
    .outerjoin(Source, Source.id == Resource.source_id)
    .outerjoin(ResourceFile, ResourceFile.resource_id == Resource.id)
    .where(Resource.id.in_(bindparam("ids", expanding=True)))
    .order_by(Resource.id, ResourceFile.position, ResourceFile.id)
)
_ORG_NAMES = select(Organisation.code, Organisation.name).where(
    Organisation.code.in_(bindparam("codes", expanding=True))
)
_ORG_IDS = select(Organisation.code, Organisation.id).where(
    Organisation.code.in_(bindparam("codes", expanding=True))
)


def one_per_work(hits) -> list[dict]:
    """The best-ranked copy of each work (hub.services.works) among hits in rank order. Copies are
    collapsed after the query, not excluded from it: a copy another school described with its own
    stage, region or visibility is found by the searches that match it, as a work once."""
    seen: set[str] = set()
    kept = []
    for hit in hits:
        work = hit.get("work_id") or hit["id"]
        if work not in seen:
            seen.add(work)
            kept.append(hit)
    return kept


class SearchService:
    def __init__(self, index, db, vocabularies):
        self.index, self.db, self.vocabularies = index, db, vocabularies
        self.labels = FacetLabels(vocabularies)

    def search(
        self,
        actor: Principal,
        *,
        q: str = "",
        filters: dict[str, list[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        size: int = 20,
        facets=None,
    ) -> dict:
        """`filters` and `facets` by API name (`subject`, `org`, ...); `facets` None counts every
        facet, and each one counted costs time, so pages should ask for the ones they show. Returns
        {"hits": [records + highlights], "total", "aggregations": {name: [{"key", "label",
        "count"}]}, "did_you_mean": None or {"q", "total"}}."""
        query = SearchQuery(
            q=q or "",
            filters=self._filters(filters or {}),
            sort=sort,
            page=page,
            size=size,
            facets=self._facets(facets),
            scope=Scope.for_principal(actor),
        )
        result = self._engine(self.index.search, query)
        by_id, aggregations = self._from_database(actor, result)
        hits = one_per_work(
            {**by_id[hit.id], "highlights": hit.highlights}
            for hit in result.hits
            if hit.id in by_id
        )
        # What the database no longer lets this caller read is dropped (the index catches up on the
        # next run), and so are further copies of a work already on the page.
        total = max(result.total - (len(result.hits) - len(hits)), len(hits))
        return {
            "hits": hits,
            "total": total,
            "aggregations": aggregations,
            "did_you_mean": self._did_you_mean(query, total),
        }

    def suggest(self, actor: Principal, prefix: str, size: int = 8) -> list[dict]:
        suggestions = self._engine(
            self.index.suggest, prefix or "", Scope.for_principal(actor), size=size
        )
        return [{"id": s.id, "title": s.title} for s in suggestions]

    # -- maintenance (CLI and worker) --------------------------------------------------------------

    def rebuild(
        self, progress: Callable[[int], None] | None = None, workers: int | None = None
    ) -> int:
        """A fresh index from the database, swapped in when complete; searches keep answering
        meanwhile. `workers`: processes reading and analysing id ranges (default: one per core);
        1 builds every document in this process."""
        docs = rebuild.documents(
            self.db, workers or rebuild.default_workers(), as_json=self.index.accepts_json
        )
        return self.index.rebuild(docs, progress=progress)

    def count_indexable(self) -> int:
        return indexer.count_indexable(self.db)

    def reconcile(self) -> dict:
        """Repair drift between database and index: index what is missing or stale, remove what
        should not be."""
        self.index.ensure()
        indexed = self.index.all_ids_with_versions()
        with self.db.session() as session:
            wanted = dict(
                session.execute(
                    select(Resource.id, Resource.updated).where(
                        Resource.status == "published", Resource.is_latest.is_(True)
                    )
                ).all()
            )
        wanted = {i: records.isoformat(u) or "" for i, u in wanted.items()}
        missing = [i for i in wanted if i not in indexed]
        stale = [i for i in wanted if i in indexed and indexed[i] != wanted[i]]
        extra = [i for i in indexed if i not in wanted]
        if missing or stale or extra:
            indexer.index_resources(self.db, self.index, missing + stale + extra)
        report = {
            "indexed": len(wanted),
            "missing": len(missing),
            "stale": len(stale),
            "removed": len(extra),
        }
        log.info("search reconcile: %s", report)
        return report

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _engine(method, *args, **kwargs):
        """Any backend failure is a 503 on search only: the rest of the hub keeps working."""
        try:
            return method(*args, **kwargs)
        except HubError:
            raise
        except Exception as exc:
            log.exception("search backend failed")
            raise ServiceUnavailable(
                "搜索暂时不可用，请稍后再试；管理员可运行 eduhub search rebuild 重建索引。"
                "Search is unavailable; try again later (admins: run `eduhub search rebuild`)."
            ) from exc

    def _filters(self, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        out = {}
        for name, values in filters.items():
            values = [v for v in (values or []) if v not in (None, "")]
            if not values:
                continue
            if name not in PARAMS:
                raise ValidationFailed.from_messages(
                    {name: ["不支持按此字段筛选。This field cannot be used as a filter."]}
                )
            out[PARAMS[name]] = self._org_ids(values) if name == "org" else values
        return out

    def _did_you_mean(self, query: SearchQuery, total: int) -> dict | None:
        """Only for words that found nothing. A nicety: if it fails, the search still answers."""
        if total or not query.q.strip():
            return None
        try:
            correction = self.index.did_you_mean(query)
        except Exception:
            log.warning("did-you-mean failed for %r", query.q, exc_info=True)
            return None
        return {"q": correction.q, "total": correction.total} if correction else None

    @staticmethod
    def _facets(names) -> tuple[str, ...]:
        if names is None:
            return FACETS
        unknown = [n for n in names if n not in FACET_FIELDS]
        if unknown:
            raise ValidationFailed.from_messages(
                {
                    "facets": [
                        f"不能统计 {', '.join(unknown)}；可选 {', '.join(FACET_FIELDS)}。"
                        f"Cannot count {', '.join(unknown)}; choose from {', '.join(FACET_FIELDS)}."
                    ]
                }
            )
        return tuple(dict.fromkeys(FACET_FIELDS[n] for n in names))

    def _org_ids(self, codes: list[str]) -> list[str]:
        with self.db.engine.connect() as conn:
            found = dict(conn.execute(_ORG_IDS, {"codes": codes}).all())
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationFailed.from_messages(
                {
                    "org": [
                        f"未知机构代码 {', '.join(unknown)}。"
                        f"Unknown organisation code {', '.join(unknown)}."
                    ]
                }
            )
        return [str(found[c]) for c in codes]

    def _from_database(self, actor: Principal, result) -> tuple[dict[str, dict], dict]:
        """The hits' records and the labelled facets. Two Core statements on one connection, not
        an ORM session (its bookkeeping was a tenth of reading the rows); no connection at all
        when there is nothing to read, so an empty answer needs no database, as before."""
        ids = [hit.id for hit in result.hits]
        if not ids and not result.aggregations.get("org"):
            return {}, self._labelled(None, result.aggregations)
        with self.db.engine.connect() as conn:
            return self._readable(conn, actor, ids), self._labelled(conn, result.aggregations)

    def _readable(self, conn, actor: Principal, ids: list[str]) -> dict[str, dict]:
        """The canonical records of these ids that the database says this caller may still find.
        Plain rows from one prepared statement, not ORM objects: a page of hits is read on every
        search, and building statements and objects was most of the hub's own time."""
        if not ids:
            return {}
        rows: dict[str, SimpleNamespace] = {}
        result = conn.execute(_HITS, {"ids": ids})
        keys = tuple(result.keys())
        # Plain tuples zipped with the keys: a third cheaper than SQLAlchemy's row mappings.
        for r in (dict(zip(keys, values, strict=True)) for values in result):
            row = rows.get(r["id"])
            if row is None:
                org = SimpleNamespace(code=r["org_code"], path=r["org_path"])
                row = rows[r["id"]] = _row(r, org=org, files=[])
            if r["file_name"] is not None:
                row.files.append(_file(r))
        return {
            row.id: records.serialize(row, row.source_name)
            for row in rows.values()
            if indexer.is_indexable(row) and permissions.can_see_published(actor, row)
        }

    def _labelled(self, conn, aggregations: dict) -> dict:
        orgs = {}
        if aggregations.get("org"):
            codes = [code for code, _ in aggregations["org"]]
            orgs = dict(conn.execute(_ORG_NAMES, {"codes": codes}).all())
        out = {}
        for field, buckets in aggregations.items():
            out[FACET_PARAMS.get(field, field)] = [
                {"key": code, "label": self._label(field, code, orgs), "count": count}
                for code, count in buckets
            ]
        return out

    def _label(self, field: str, code: str, orgs: dict) -> str:
        # Organisations are renamed in the database: read each time, never cached.
        if field == "org":
            return orgs.get(code, code)
        return self.labels.label(field, code)


def _row(mapping, **extra) -> SimpleNamespace:
    """A row with attribute access, as `records.serialize` and `permissions` read a Resource."""
    return SimpleNamespace(**mapping, **extra)


def _file(r) -> SimpleNamespace:
    return SimpleNamespace(
        name=r["file_name"],
        size=r["file_size"],
        sha256=r["file_sha256"],
        mimetype=r["file_mimetype"],
    )
