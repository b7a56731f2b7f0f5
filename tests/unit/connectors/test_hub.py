"""The hub connector reads another hub's changes feed page by page and maps it to items."""

from __future__ import annotations

import pytest

from connectors.base import ConnectorError, Delete, Failed, SourceConfig, Upsert
from connectors.hub import HubConnector


class FakeHttp:
    def __init__(self, pages: dict):
        self.pages = pages
        self.calls = []

    def get_json(self, url, *, params=None, headers=None, max_bytes=None):
        self.calls.append((url, dict(params or {})))
        return self.pages[(params or {}).get("since")]


def resource(rid, **extra):
    return {
        "id": rid,
        "title": f"资源{rid}",
        "subjects": ["math"],
        "status": "published",
        "org": "a",
        "files": [{"name": "a.pdf", "size": 3, "sha256": "ab" * 32, "mimetype": "application/pdf"}],
        "links": {"html": f"/r/{rid}", "files": {"a.pdf": f"/api/v1/resources/{rid}/files/a.pdf"}},
        **extra,
    }


def connector(pages, **options):
    return HubConnector(
        SourceConfig(name="a", kind="hub", url="http://a.example/hub/", options=options),
        FakeHttp(pages),
    )


PAGES = {
    None: {
        "changes": [
            {"seq": 1, "op": "upsert", "resource": resource("r1")},
            {"seq": 2, "op": "delete", "resource": {"id": "r2", "status": "withdrawn"}},
        ],
        "next": "4",
    },
    "4": {"changes": [{"seq": 5, "op": "upsert", "resource": {"title": "no id"}}], "next": "5"},
    "5": {"changes": [], "next": "5"},
}


def test_pages_are_followed_until_the_feed_is_exhausted():
    items = list(connector(PAGES).harvest(None, full=False))
    assert [type(i) for i in items] == [Upsert, Delete, Failed]
    assert [i.cursor_after for i in items] == [
        "1",
        "4",
        "5",
    ]  # the page's last item carries its `next`


def test_upserts_keep_the_origin_and_the_file_links():
    upsert = next(connector(PAGES).harvest(None, full=False))
    assert upsert.external_id == "r1" and upsert.record["title"] == "资源r1"
    assert upsert.record["origin_url"] == "http://a.example/hub/r/r1"
    assert upsert.files[0].url == "http://a.example/hub/api/v1/resources/r1/files/a.pdf"
    assert upsert.files[0].sha256 == "ab" * 32
    assert "status" not in upsert.record and "org" not in upsert.record


def test_a_cursor_resumes_and_full_starts_over():
    c = connector(PAGES)
    assert [i.cursor_after for i in c.harvest("4", full=False)] == ["5"]
    assert len(list(c.harvest("4", full=True))) == 3


def test_a_token_is_sent_to_the_feed_and_the_files():
    c = connector(PAGES, token="t0k")
    upsert = next(c.harvest(None, full=False))
    assert upsert.files[0].headers == {"Authorization": "Bearer t0k"}


def test_something_that_is_not_a_feed_is_a_connector_error():
    with pytest.raises(ConnectorError, match="not a feed page"):
        list(connector({None: {"hello": "world"}}).harvest(None, full=False))


def test_a_failure_is_retried_from_its_payload():
    change = {"seq": 9, "op": "upsert", "resource": resource("r9")}
    assert isinstance(connector(PAGES).retry("r9", change), Upsert)
