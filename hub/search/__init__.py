"""The search port; `index_from_url` picks the adapter from `EDUHUB_SEARCH_URL`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from hub.search.base import (
    EVERYTHING,
    FACETS,
    FILTERS,
    PUBLIC,
    SORTS,
    Hit,
    Scope,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Suggestion,
    document_from_record,
)
from hub.search.memory import memory_index

__all__ = [
    "FACETS",
    "FILTERS",
    "SORTS",
    "EVERYTHING",
    "PUBLIC",
    "Hit",
    "Scope",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "Suggestion",
    "document_from_record",
    "index_from_url",
]

DEFAULT_ALIAS = "eduhub-resources"


def index_from_url(url: str, data_dir: Path | str | None = None) -> SearchIndex:
    """The index named by `url`.

    `tantivy:///abs/path` (or relative to the data directory), `elasticsearch+http://host:9200`,
    `opensearch+https://host:9200`; `?index=NAME` chooses the alias on the servers (default
    eduhub-resources); `memory://` (a fresh in-process index) or `memory://NAME` (one per name and
    process) for tests.
    """
    scheme, _, rest = url.partition("://")
    if scheme == "memory":
        return memory_index(rest.strip("/"))
    if scheme == "tantivy":
        path = Path(rest or "index")
        if not path.is_absolute():
            path = Path(data_dir or ".") / path
        from hub.search.embedded import TantivyIndex  # tantivy is loaded only when configured

        return TantivyIndex(path)
    engine, _, transport = scheme.partition("+")
    parts = urlsplit(f"{transport or 'http'}://{rest}")
    alias = parse_qs(parts.query).get("index", [DEFAULT_ALIAS])[0]
    host = parts._replace(query="", fragment="").geturl().rstrip("/")
    if engine in ("elasticsearch", "es"):
        from hub.search.es import ElasticsearchIndex  # the elasticsearch client, only when used

        return ElasticsearchIndex(host, alias)
    if engine == "opensearch":
        from hub.search.opensearch import OpenSearchIndex  # opensearch-py, only when used

        return OpenSearchIndex(host, alias)
    raise ValueError(
        f"unknown search URL scheme {scheme!r}: use tantivy://, elasticsearch+http://, "
        "opensearch+http:// or memory://"
    )
