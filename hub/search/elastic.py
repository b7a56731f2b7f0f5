"""What Elasticsearch and OpenSearch share: mappings, bulk actions, queries from the plan,
responses, aliases.

Text arrives already analysed by `metadata.analysis` (words joined by spaces), so the servers only
split on whitespace and need no Chinese plugin. Each index is versioned (`ALIAS-vSTAMP`) behind an
alias; a rebuild fills a new one and swaps the alias in one atomic request, so searches never go
down.
"""

from __future__ import annotations

import time
from abc import abstractmethod

from hub.errors import ServiceUnavailable
from hub.search import plan as planning
from hub.search.base import (
    PUBLIC,
    Scope,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Suggestion,
    batched,
)

WORDS_ANALYZER = "zh_words"
EXACT_FIELDS = (
    "id",
    "stage",
    "subjects",
    "grades",
    "majors",
    "edition",
    "volume",
    "type",
    "themes",
    "region",
    "region_path",
    "org",
    "org_path",
    "license",
    "source",
    "visibility",
    "status",
    "is_latest",
    "work",
    "collapsed",
    "suggest",
)
BULK_SIZE = 1000


def index_body(shards: int = 1) -> dict:
    """Settings and mappings. One shard by default so BM25 statistics match the embedded
    engine's."""
    words = {"type": "text", "analyzer": WORDS_ANALYZER, "index_options": "freqs"}
    properties = {name: dict(words) for name, _ in planning.WORD_FIELDS}
    properties[planning.BIGRAM_FIELD] = dict(words)
    properties.update({name: {"type": "keyword"} for name in EXACT_FIELDS})
    integers = ("published", "updated", "downloads", "rating_count", "rating")
    properties.update({name: {"type": "long"} for name in integers})
    properties["rating_avg"] = {"type": "float"}
    properties.update(
        {
            "title": {"type": "text", "index": False},
            "description": {"type": "text", "index": False},
            "version": {"type": "keyword", "index": False},
        }
    )
    return {
        "settings": {
            "number_of_shards": shards,
            "analysis": {
                "analyzer": {WORDS_ANALYZER: {"type": "custom", "tokenizer": "whitespace"}}
            },
        },
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def upsert_actions(index: str, docs):
    for doc in docs:
        yield {"_op_type": "index", "_index": index, "_id": doc["id"], "_source": doc}


def delete_actions(index: str, ids):
    for doc_id in ids:
        yield {"_op_type": "delete", "_index": index, "_id": str(doc_id)}


def translate(node, scored: bool = True) -> dict:
    """A plan node as query DSL; unscored parts use filter context."""
    if isinstance(node, planning.Term):
        return {"term": {node.field: {"value": node.value, "boost": node.boost}}}
    if isinstance(node, planning.Terms):
        return {"terms": {node.field: list(node.values)}}
    if isinstance(node, planning.Prefix):
        return {"prefix": {node.field: {"value": node.value}}}
    if isinstance(node, planning.And):
        clauses = [translate(c, scored) for c in node.children]
        return {"bool": {"must" if scored else "filter": clauses}}
    if isinstance(node, planning.Or):
        return {
            "bool": {
                "should": [translate(c, scored) for c in node.children],
                "minimum_should_match": 1,
            }
        }
    if isinstance(node, planning.Everything):
        return {"match_all": {}}
    if isinstance(node, planning.Not):
        return {"bool": {"must_not": [translate(node.child, False)]}}
    raise TypeError(f"unknown plan node {node!r}")


SORTS = {
    "relevance": ["_score", {"id": "asc"}],
    "newest": [{"published": "desc"}, {"id": "asc"}],
    "downloads": [{"downloads": "desc"}, {"id": "asc"}],
    "rating": [{"rating": "desc"}, {"id": "asc"}],
}


def search_body(p: planning.Plan) -> dict:
    """Query = text within the caller's scope; user filters as post_filter so each facet can drop
    its own."""
    query = {"bool": {"filter": [translate(p.scope, scored=False)]}}
    if p.text is not None:
        query["bool"]["must"] = [translate(p.text)]
    body = {
        "query": query,
        "from": p.offset,
        "size": p.size,
        "track_total_hits": True,
        "sort": SORTS[p.sort],
        "_source": ["id", "title", "description"],
    }
    if p.filters:
        body["post_filter"] = translate(planning.conjunction(p.filters.values()), scored=False)
    aggs = {}
    for i, (filter_node, names) in enumerate(p.facet_groups()):
        terms = {name: {"terms": {"field": name, "size": planning.FACET_SIZE}} for name in names}
        aggs[f"group{i}"] = {"filter": translate(filter_node, scored=False), "aggs": terms}
    if aggs:
        body["aggs"] = aggs
    return body


def parse_search(p: planning.Plan, response: dict) -> SearchResult:
    hits = []
    for raw in response["hits"]["hits"]:
        source = raw.get("_source") or {}
        hits.append(
            p.hit(
                raw["_id"],
                raw.get("_score") or 0.0,
                source.get("title") or "",
                source.get("description") or "",
            )
        )
    total = response["hits"]["total"]
    total = total["value"] if isinstance(total, dict) else int(total)
    aggregations = {}
    for group in (response.get("aggregations") or {}).values():
        for name, result in group.items():
            if isinstance(result, dict) and "buckets" in result:
                aggregations[name] = planning.sorted_buckets(
                    (b["key"], b["doc_count"]) for b in result["buckets"]
                )
    return SearchResult(
        total=total, hits=hits, aggregations={f: aggregations.get(f, []) for f in p.facets}
    )


def suggest_body(prefix_node, scope_node, size: int) -> dict:
    return {
        "query": {
            "bool": {"filter": [translate(prefix_node, False), translate(scope_node, False)]}
        },
        "size": size * 3,
        "sort": [{"downloads": "desc"}, {"id": "asc"}],
        "_source": ["id", "title"],
    }


def unavailable(engine: str, exc: Exception) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"搜索服务（{engine}）暂时不可用，请稍后再试，或请管理员检查 EDUHUB_SEARCH_URL。"
        f"The search service ({engine}) is unavailable; try again later, or ask an admin to "
        f"check EDUHUB_SEARCH_URL. ({type(exc).__name__}: {exc})"
    )


def failed_actions(errors: list[dict]) -> list[dict]:
    """The bulk errors that are failures: deleting a document the index does not have (404) is
    what the caller wanted, so it is not one."""
    return [e for e in errors if e.get("delete", {}).get("status") != 404]


class ServerIndex(SearchIndex):
    """The adapter for both servers; subclasses give the client, its errors and its bulk helper."""

    engine = "search server"
    errors: tuple = ()

    def __init__(self, client, alias: str):
        self.client = client
        self.alias = alias

    @abstractmethod
    def _bulk(self, actions) -> None:
        """Send bulk actions with the client's own helper."""

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except self.errors as exc:
            raise unavailable(self.engine, exc) from exc

    # -- indices and the alias ---------------------------------------------------------------------

    def _indices(self) -> list[str]:
        if not self._call(self.client.indices.exists_alias, name=self.alias):
            return []
        return sorted(self._call(self.client.indices.get_alias, name=self.alias))

    def _create(self, shards: int = 1) -> str:
        name = f"{self.alias}-v{time.strftime('%Y%m%d%H%M%S')}{time.time_ns() % 1000000:06d}"
        self._call(self.client.indices.create, index=name, body=index_body(shards))
        return name

    def ensure(self) -> None:
        if not self._indices():
            name = self._create()
            self._call(
                self.client.indices.update_aliases,
                body={"actions": [{"add": {"index": name, "alias": self.alias}}]},
            )

    def index_documents(self, docs) -> int:
        count = 0
        for batch in batched(docs, BULK_SIZE):
            self._call(self._bulk, upsert_actions(self.alias, batch))
            count += len(batch)
        return count

    def delete_documents(self, ids) -> None:
        for batch in batched(ids, BULK_SIZE):
            self._call(self._bulk, delete_actions(self.alias, batch))

    def commit(self) -> None:
        self._call(self.client.indices.refresh, index=self.alias)

    def rebuild(self, docs, progress=None) -> int:
        old = self._indices()
        name = self._create()
        self._call(
            self.client.indices.put_settings, index=name, body={"index": {"refresh_interval": "-1"}}
        )
        total = 0
        for batch in batched(docs, BULK_SIZE):
            self._call(self._bulk, upsert_actions(name, batch))
            total += len(batch)
            if progress:
                progress(len(batch))
        self._call(
            self.client.indices.put_settings, index=name, body={"index": {"refresh_interval": "1s"}}
        )
        self._call(self.client.indices.refresh, index=name)
        actions = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, body={"actions": actions})
        for index in old:
            self._call(self.client.indices.delete, index=index)
        return total

    # -- reading -----------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        p = planning.plan(query)
        response = self._call(self.client.search, index=self.alias, body=search_body(p))
        return parse_search(p, response)

    def suggest(self, prefix: str, scope: Scope = PUBLIC, size: int = 8) -> list[Suggestion]:
        nodes = planning.suggest_nodes(prefix, scope)
        if nodes is None:
            return []
        response = self._call(self.client.search, index=self.alias, body=suggest_body(*nodes, size))
        seen, out = set(), []
        for raw in response["hits"]["hits"]:
            title = (raw.get("_source") or {}).get("title")
            if title and title not in seen and len(out) < size:
                seen.add(title)
                out.append(Suggestion(id=raw["_id"], title=title))
        return out

    def count(self) -> int:
        return int(self._call(self.client.count, index=self.alias)["count"])

    def all_ids_with_versions(self) -> dict[str, str]:
        """Paged with search_after on the id (no scroll contexts to leak)."""
        out, after = {}, None
        while True:
            body = {
                "query": {"match_all": {}},
                "size": BULK_SIZE,
                "sort": [{"id": "asc"}],
                "_source": ["id", "version"],
            }
            if after is not None:
                body["search_after"] = after
            hits = self._call(self.client.search, index=self.alias, body=body)["hits"]["hits"]
            for raw in hits:
                out[raw["_id"]] = (raw.get("_source") or {}).get("version") or ""
            if len(hits) < BULK_SIZE:
                return out
            after = hits[-1]["sort"]

    def check_ready(self) -> None:
        if not self._indices():
            raise unavailable(self.engine, LookupError(f"index alias {self.alias!r} is missing"))
        self.count()

    def close(self) -> None:
        self._call(self.client.close)
