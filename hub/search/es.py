"""Elasticsearch 8/9 through the official client; everything else is shared in
`hub.search.elastic`."""

from __future__ import annotations

import re

import elastic_transport
import elasticsearch
from elastic_transport import Urllib3HttpNode
from elasticsearch import Elasticsearch, helpers

from hub.search.elastic import ServerIndex, failed_actions

# The client asks for its own major version's REST API ("compatible-with=9"), which an Elasticsearch
# 8 server refuses with 400 media_type_header_exception. Version 8 of the API is understood by both
# 8 and 9 servers (9 by REST API compatibility), and the hub only uses calls whose shape is the same
# in both, so every request asks for 8.
API_COMPATIBILITY = 8
_COMPAT = re.compile(r"compatible-with=\d+")


def compatible_headers(headers):
    """`headers` with every `compatible-with=N` asking for API_COMPATIBILITY instead."""
    out = headers.copy()
    for name in ("accept", "content-type"):
        value = out.get(name)
        if value:
            out[name] = _COMPAT.sub(f"compatible-with={API_COMPATIBILITY}", value)
    return out


class CompatibleNode(Urllib3HttpNode):
    """The default urllib3 node, sending the API compatibility both server versions accept."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers:
            headers = compatible_headers(headers)
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


class ElasticsearchIndex(ServerIndex):
    engine = "Elasticsearch"
    errors = (elasticsearch.ApiError, elastic_transport.TransportError, helpers.BulkIndexError)

    def __init__(self, url: str, alias: str, **client_options):
        client_options.setdefault("request_timeout", 30)
        client_options.setdefault("node_class", CompatibleNode)
        super().__init__(Elasticsearch(url, **client_options), alias)

    def _bulk(self, actions) -> None:
        _, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh=False)
        if failed := failed_actions(errors):
            raise helpers.BulkIndexError(f"{len(failed)} document(s) failed to index.", failed)
