"""OpenSearch through opensearch-py; everything else is shared in `hub.search.elastic`."""

from __future__ import annotations

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import OpenSearchException

from hub.search.elastic import ServerIndex, failed_actions


class OpenSearchIndex(ServerIndex):
    engine = "OpenSearch"
    errors = (OpenSearchException, helpers.BulkIndexError)

    def __init__(self, url: str, alias: str, **client_options):
        client_options.setdefault("timeout", 30)
        super().__init__(OpenSearch(hosts=[url], **client_options), alias)

    def _bulk(self, actions) -> None:
        _, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh=False)
        if failed := failed_actions(errors):
            raise helpers.BulkIndexError(f"{len(failed)} document(s) failed to index.", failed)
