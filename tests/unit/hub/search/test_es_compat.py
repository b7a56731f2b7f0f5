"""What the Elasticsearch adapter really sends: every request asks for version 8 of the REST API.

Elasticsearch 8 refuses `compatible-with=9` (the installed client's own version) with 400
media_type_header_exception; 9 serves version 8 by REST API compatibility. The requests are captured
by a loopback HTTP server answering as Elasticsearch 8 does for the calls the adapter makes; the
assertions are on what the adapter and the installed client put on the wire and on how the adapter
reads the answers, never on the stand-in itself. No Elasticsearch can be installed on these
machines: with EDUHUB_TEST_ELASTICSEARCH_URL set, the last test (and the search contract suite in
tests/integration/search) run against that real cluster.
"""

from __future__ import annotations

import json
import os
import uuid

import elasticsearch
import pytest

from hub.search import SearchQuery, document_from_record, index_from_url
from hub.search.es import ElasticsearchIndex, compatible_headers
from tests.integration.search import corpus
from tests.support.http_server import LoopbackServer, Reply, Request

ES_URL = os.environ.get("EDUHUB_TEST_ELASTICSEARCH_URL")
ALIAS = "eduhub-resources"
JSON8 = "application/vnd.elasticsearch+json; compatible-with=8"
NDJSON8 = "application/vnd.elasticsearch+x-ndjson; compatible-with=8"


class Elasticsearch8:
    """Answers as Elasticsearch 8.15 does for the calls the adapter makes; keeps every request."""

    HEADERS = {
        "Content-Type": "application/vnd.elasticsearch+json;compatible-with=8",
        "X-Elastic-Product": "Elasticsearch",
    }

    def __init__(self):
        self.seen: list[dict] = []
        self.aliases: set[str] = set()

    def __call__(self, request: Request) -> Reply:
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "headers": headers,
                "body": request.body,
            }
        )
        if any(
            "compatible-with=" in h and not h.rstrip().endswith(("=7", "=8"))
            for h in (headers.get("accept", ""), headers.get("content-type", ""))
        ):
            error = {"type": "media_type_header_exception", "reason": "Invalid media-type value"}
            return self._reply(400, {"error": {"root_cause": [error], **error}, "status": 400})
        return self._reply(*self._answer(request.path, request.body))

    def _answer(self, path: str, body: bytes) -> tuple[int, dict | None]:
        parts = path.strip("/").split("/")
        if path == "/":
            return 200, {"version": {"number": "8.15.0"}, "tagline": "You Know, for Search"}
        if parts[0] == "_alias":
            return (200, {}) if parts[1] in self.aliases else (404, None)
        if path == "/_aliases":
            for action in json.loads(body)["actions"]:
                self.aliases.add(action["add"]["alias"])
            return 200, {"acknowledged": True}
        if path == "/_bulk":
            lines = [json.loads(line) for line in body.splitlines() if line.strip()]
            items = [
                {op: {**meta, "status": 201, "result": "created"}}
                for a in lines[::2]
                for op, meta in a.items()
            ]
            return 200, {"errors": False, "took": 1, "items": items}
        if parts[-1] == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if parts[-1] == "_count":
            return 200, {"count": 2, "_shards": {"total": 1, "successful": 1, "failed": 0}}
        if parts[-1] == "_search":
            hit = {"_index": parts[0], "_id": "r1", "_score": 1.5, "_source": {"title": "分数"}}
            return 200, {
                "took": 1,
                "hits": {"total": {"value": 2, "relation": "eq"}, "hits": [hit]},
            }
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": parts[0]}

    def _reply(self, status: int, body: dict | None) -> Reply:
        data = json.dumps(body).encode() if body is not None else b""
        return Reply(status, data, dict(self.HEADERS))


@pytest.fixture
def es8():
    return Elasticsearch8()


@pytest.fixture
def es8_url(es8):
    with LoopbackServer(es8, keep_alive=True) as server:
        yield server.url


def documents(n: int = 2) -> list[dict]:
    return [document_from_record(r, corpus.ORG_PATHS[r["org"]]) for r in corpus.records()[:n]]


def test_every_request_of_the_adapter_asks_for_version_8_of_the_api(es8, es8_url):
    index = ElasticsearchIndex(es8_url, ALIAS)
    index.ensure()
    assert index.index_documents(documents()) == 2
    index.commit()
    assert index.count() == 2
    result = index.search(SearchQuery(q="分数"))
    assert result.total == 2 and [h.id for h in result.hits] == ["r1"]
    calls = [(r["method"], r["path"]) for r in es8.seen]
    assert calls[0] == ("HEAD", f"/_alias/{ALIAS}")
    assert calls[1][0] == "PUT" and calls[1][1].startswith(f"/{ALIAS}-v")
    assert calls[2:] == [
        ("POST", "/_aliases"),
        ("PUT", "/_bulk"),
        ("POST", f"/{ALIAS}/_refresh"),
        ("POST", f"/{ALIAS}/_count"),
        ("POST", f"/{ALIAS}/_search"),
    ]
    for request in es8.seen:
        headers = request["headers"]
        assert headers["accept"] == JSON8
        if request["body"]:
            wanted = NDJSON8 if request["path"] == "/_bulk" else JSON8
            assert headers["content-type"] == wanted


def test_the_bulk_body_writes_each_document_through_the_alias_under_its_id(es8, es8_url):
    index = ElasticsearchIndex(es8_url, ALIAS)
    docs = documents()
    index.index_documents(docs)
    bulk = next(r for r in es8.seen if r["path"] == "/_bulk")
    lines = [json.loads(line) for line in bulk["body"].decode().splitlines()]
    assert [next(iter(a.values())) for a in lines[::2]] == [
        {"_index": ALIAS, "_id": d["id"]} for d in docs
    ]
    assert [s["title"] for s in lines[1::2]] == [d["title"] for d in docs]


def test_the_installed_client_alone_asks_for_its_own_version(es8, es8_url):
    """Why the adapter rewrites the header: the bare client names its own major version."""
    major = int(elasticsearch.__versionstr__.split(".")[0])
    bare = elasticsearch.Elasticsearch(es8_url)
    try:
        bare.info()
    except elasticsearch.BadRequestError:
        assert major > 8  # Elasticsearch 8 refuses what a newer client asks for
    accept = es8.seen[-1]["headers"]["accept"]
    assert accept == f"application/vnd.elasticsearch+json; compatible-with={major}"


def test_compatible_headers_rewrites_only_the_version():
    headers = {
        "accept": "application/vnd.elasticsearch+json; compatible-with=9",
        "content-type": "application/vnd.elasticsearch+x-ndjson; compatible-with=9",
        "x-other": "9",
    }
    out = compatible_headers(headers)
    assert out == {"accept": JSON8, "content-type": NDJSON8, "x-other": "9"}
    assert headers["accept"].endswith("=9")  # the caller's headers are not changed in place


@pytest.mark.skipif(not ES_URL, reason="EDUHUB_TEST_ELASTICSEARCH_URL names no real Elasticsearch")
def test_a_real_elasticsearch_8_or_9_indexes_counts_and_searches():
    index = index_from_url(f"elasticsearch+{ES_URL}?index=eduhub-compat-{uuid.uuid4().hex[:8]}")
    try:
        assert int(index.client.info()["version"]["number"].split(".")[0]) in (8, 9)
        index.ensure()
        docs = documents(5)
        index.index_documents(docs)
        index.commit()
        assert index.count() == 5
        assert index.search(SearchQuery(size=10)).total == 5
    finally:
        for name in index._indices():
            index.client.indices.delete(index=name)
        index.close()
