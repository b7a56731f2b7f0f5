"""Elasticsearch 8/9 through the official client; everything else is shared in `hub.search.elastic`."""
from __future__ import annotations

import elastic_transport
import elasticsearch
from elasticsearch import Elasticsearch, helpers

from hub.search.elastic import ServerIndex


class ElasticsearchIndex(ServerIndex):
    engine = "Elasticsearch"
    errors = (elasticsearch.ApiError, elastic_transport.TransportError, helpers.BulkIndexError)

    def __init__(self, url: str, alias: str, **client_options):
        client_options.setdefault("request_timeout", 30)
        super().__init__(Elasticsearch(url, **client_options), alias)

    def _bulk(self, actions) -> None:
        helpers.bulk(self.client, actions, raise_on_error=True, refresh=False)
