"""The Elasticsearch adapter asks for version 8 of the REST API, which Elasticsearch 8 and 9 servers
both accept.

The server here is a stand-in that answers like Elasticsearch 8 does about media types (no real
Elasticsearch runs on these machines; the contract suite runs against one when
EDUHUB_TEST_ELASTICSEARCH_URL is set).
"""

from __future__ import annotations

import pytest

from hub.search.es import ElasticsearchIndex, compatible_headers
from tests.support.http_server import LoopbackServer, Reply

ES8_HEADERS = {
    "Content-Type": "application/vnd.elasticsearch+json;compatible-with=8",
    "X-Elastic-Product": "Elasticsearch",
}


class Elasticsearch8Like:
    """Answers like Elasticsearch 8 about media types: versions other than 7 and 8 are refused."""

    seen: list[tuple[str, str, str]] = []

    @classmethod
    def answer(cls, request) -> Reply:
        accept, ctype = request.headers.get("Accept", ""), request.headers.get("Content-Type", "")
        cls.seen.append((request.method, accept, ctype))
        if any(
            "compatible-with=" in h
            and "compatible-with=8" not in h
            and "compatible-with=7" not in h
            for h in (accept, ctype)
        ):
            body = {"error": {"type": "media_type_header_exception"}, "status": 400}
            return Reply(400, body, dict(ES8_HEADERS))
        if request.target.startswith("/_bulk"):
            return Reply(200, {"errors": False, "took": 1, "items": []}, dict(ES8_HEADERS))
        body = {"version": {"number": "8.15.0"}, "tagline": "You Know, for Search"}
        return Reply(200, body, dict(ES8_HEADERS))


@pytest.fixture
def es8_url():
    Elasticsearch8Like.seen = []
    with LoopbackServer(Elasticsearch8Like.answer) as server:
        yield server.url


def test_the_installed_client_talks_to_an_elasticsearch_8_server(es8_url):
    index = ElasticsearchIndex(es8_url, "eduhub-resources")
    assert index.client.info()["version"]["number"] == "8.15.0"
    index._bulk([{"_op_type": "index", "_index": "x", "_id": "1", "_source": {"title": "分数"}}])
    assert [m for m, _, _ in Elasticsearch8Like.seen] == ["GET", "PUT"]
    for _, accept, ctype in Elasticsearch8Like.seen:
        assert "compatible-with=8" in accept
        assert not ctype or "compatible-with=8" in ctype


def test_the_stand_in_refuses_what_a_newer_bare_client_sends(es8_url):
    """The stand-in is strict the way Elasticsearch 8 is: a bare client newer than 8 is refused, an
    8 is not."""
    import elasticsearch

    bare = elasticsearch.Elasticsearch(es8_url)
    if int(elasticsearch.__versionstr__.split(".")[0]) > 8:
        with pytest.raises(elasticsearch.BadRequestError):
            bare.info()
    else:
        assert bare.info()["version"]["number"] == "8.15.0"


def test_compatible_headers_rewrites_only_the_version():
    headers = {
        "accept": "application/vnd.elasticsearch+json; compatible-with=9",
        "content-type": "application/vnd.elasticsearch+x-ndjson; compatible-with=9",
        "x-other": "9",
    }
    out = compatible_headers(headers)
    assert out == {
        "accept": "application/vnd.elasticsearch+json; compatible-with=8",
        "content-type": "application/vnd.elasticsearch+x-ndjson; compatible-with=8",
        "x-other": "9",
    }
    assert headers["accept"].endswith("=9")  # the caller's headers are not changed in place
