"""Our harvester against a third-party OAI-PMH server: pyoai's server side with an in-memory
source."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs

import oaipmh.server
import pytest
from oaipmh import common
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import Server, oai_dc_writer

from connectors import policy_for
from connectors.base import Delete, HttpClient, SourceConfig, Upsert
from connectors.oaipmh import OaiPmhConnector
from tests.unit.connectors.national.loopback import serve


@pytest.fixture(autouse=True)
def pyoai_on_python_311(monkeypatch):
    """pyoai decodes its own tokens with cgi.parse_qs, which Python 3.8 removed; give it the urllib
    one."""
    monkeypatch.setattr(oaipmh.server.cgi, "parse_qs", parse_qs, raising=False)


class MemorySource:
    """pyoai's IOAI interface over a list of (header, metadata, about)."""

    def __init__(self, count: int, deleted: set[int]):
        self.data = []
        for i in range(count):
            stamp = datetime(2025, 1 + i % 12, 1 + i % 28, 8, i % 60, 0)
            header = common.Header(
                None, f"oai:pyoai.test:{i}", stamp, ["subject:math"], i in deleted
            )
            metadata = (
                None
                if i in deleted
                else common.Metadata(
                    None,
                    {
                        "title": [f"第{i}课：分数的意义"],
                        "subject": ["数学", "小学"],
                        "creator": ["王老师"],
                        "language": ["zh"],
                        "identifier": [f"http://pyoai.test/item/{i}"],
                    },
                )
            )
            self.data.append((header, metadata, None))

    def identify(self):
        return common.Identify(
            "pyoai test",
            "http://pyoai.test/oai",
            "2.0",
            ["a@pyoai.test"],
            datetime(2025, 1, 1),
            "persistent",
            "YYYY-MM-DDThh:mm:ssZ",
            ["identity"],
        )

    def listRecords(self, metadataPrefix=None, from_=None, until=None, set=None):
        return [
            r
            for r in self.data
            if (from_ is None or r[0].datestamp() >= from_)
            and (until is None or r[0].datestamp() <= until)
        ]


def pyoai_server(source: MemorySource) -> Server:
    registry = MetadataRegistry()
    registry.registerWriter("oai_dc", oai_dc_writer)
    return Server(source, registry, resumption_batch_size=10)


def harvest(url: str, cursor=None):
    config = SourceConfig(
        name="pyoai",
        kind="oaipmh",
        url=url + "/oai",
        metadata_prefix="oai_dc",
        allow_private_host=True,
    )
    return list(
        OaiPmhConnector(
            config, HttpClient(timeout=5, retries=0, policy=policy_for(config))
        ).harvest(cursor, full=cursor is None)
    )


def test_our_harvester_takes_every_record_from_a_pyoai_server():
    server = pyoai_server(MemorySource(25, deleted={3, 17}))
    with serve(lambda method, path, query, headers: (200, server.handleRequest(query))) as (
        url,
        requests,
    ):
        items = harvest(url)
    upserts = [i for i in items if isinstance(i, Upsert)]
    assert len(upserts) == 23 and {i.external_id for i in items if isinstance(i, Delete)} == {
        "oai:pyoai.test:3",
        "oai:pyoai.test:17",
    }
    assert len({i.external_id for i in items}) == 25
    first = next(i for i in upserts if i.external_id == "oai:pyoai.test:0")
    assert first.record["title"] == "第0课：分数的意义"
    assert first.record["subjects"] == ["math"] and first.record["stage"] == "primary"
    assert first.record["origin_url"] == "http://pyoai.test/item/0"
    assert len(requests) == 3  # 10 + 10 + 5 through two resumption tokens
    assert items[-1].cursor_after is not None


def test_an_incremental_run_asks_only_for_newer_records():
    server = pyoai_server(MemorySource(25, deleted=set()))
    with serve(lambda method, path, query, headers: (200, server.handleRequest(query))) as (
        url,
        requests,
    ):
        first = harvest(url)
        again = harvest(url, cursor=first[-1].cursor_after)
    assert requests[-1][1]["from"] == "2025-12-24T08:23:00Z"
    assert [i.external_id for i in again] == ["oai:pyoai.test:23"]
