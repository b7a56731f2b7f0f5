"""The OAI-PMH harvester against canned pages on loopback: tokens, cursors, deletions, errors,
hostile input."""

from __future__ import annotations

import json

import pytest

from connectors.base import ConnectorError, Delete, Failed, SourceConfig, Upsert
from connectors.oaipmh import OaiPmhConnector, OaiPmhError
from tests.support.outbound import loopback_client
from tests.unit.connectors.national.loopback import serve

HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
OPEN = (
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    "<responseDate>2025-01-01T00:00:00Z</responseDate>"
    "<request>http://x/oai</request>"
)


def record(n: int, stamp: str = "2025-01-0{}T00:00:00Z", deleted: bool = False) -> str:
    status = ' status="deleted"' if deleted else ""
    header = (
        f"<header{status}><identifier>oai:x:{n}</identifier>"
        f"<datestamp>{stamp.format(n % 9 + 1)}</datestamp></header>"
    )
    if deleted:
        return f"<record>{header}</record>"
    return (
        f"<record>{header}<metadata><oai_dc:dc "
        'xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>第{n}课 数学</dc:title><dc:subject>数学</dc:subject>"
        f"<dc:subject>subject:nonsense</dc:subject></oai_dc:dc></metadata></record>"
    )


def page(records: str, token: str | None = None, **attrs) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    tok = (
        f"<resumptionToken{extra}>{token or ''}</resumptionToken>"
        if token is not None or attrs
        else ""
    )
    return f"{HEAD}{OPEN}<ListRecords>{records}{tok}</ListRecords></OAI-PMH>"


def error(code: str) -> str:
    return f'{HEAD}{OPEN}<error code="{code}">because</error></OAI-PMH>'


def connector(url: str, **options) -> OaiPmhConnector:
    config = SourceConfig(
        name="t", kind="oaipmh", url=url + "/oai", metadata_prefix="oai_dc", options=options
    )
    return OaiPmhConnector(config, loopback_client(timeout=2, retries=0))


def two_pages(method, path, query, headers):
    if query.get("resumptionToken") == "p2":
        return 200, page(
            record(3) + record(4, deleted=True), token="", completeListSize=4, cursor=2
        )
    if query.get("verb") == "ListRecords" and query.get("metadataPrefix") == "oai_dc":
        return 200, page(record(1) + record(2), token="p2", completeListSize=4, cursor=0)
    return 200, error("badArgument")


def test_harvest_follows_tokens_and_maps_deletions():
    with serve(two_pages) as (url, requests):
        items = list(connector(url).harvest(None, full=False))
    assert [type(i) for i in items] == [Upsert, Upsert, Upsert, Delete]
    assert items[0].external_id == "oai:x:1" and items[0].record["subjects"] == ["math"]
    assert (
        "nonsense" in items[0].record["keywords"]
    )  # unknown codes are kept as keywords, never invalid
    assert items[0].cursor_after is None
    assert json.loads(items[1].cursor_after) == {"token": "p2", "high": "2025-01-03T00:00:00Z"}
    assert json.loads(items[3].cursor_after) == {"from": "2025-01-05T00:00:00Z"}
    assert [r[1].get("resumptionToken") for r in requests] == [None, "p2"]


def test_incremental_run_sends_from_and_set():
    with serve(two_pages) as (url, requests):
        config = SourceConfig(name="t", kind="oaipmh", url=url + "/oai", set_spec="subject:math")
        list(
            OaiPmhConnector(config, loopback_client(retries=0)).harvest(
                '{"from":"2025-01-05T00:00:00Z"}', full=False
            )
        )
    assert requests[0][1] == {
        "verb": "ListRecords",
        "metadataPrefix": "oai_dc",
        "set": "subject:math",
        "from": "2025-01-05T00:00:00Z",
    }


def test_a_saved_token_resumes_mid_list_and_a_forgotten_one_restarts():
    with serve(two_pages) as (url, requests):
        items = list(connector(url).harvest('{"token":"p2","from":"2024-12-31"}', full=False))
    assert [i.external_id for i in items] == ["oai:x:3", "oai:x:4"]

    def forgetful(method, path, query, headers):
        if query.get("resumptionToken") == "stale":
            return 200, error("badResumptionToken")
        return two_pages(method, path, query, headers)

    with serve(forgetful) as (url, requests):
        items = list(connector(url).harvest('{"token":"stale"}', full=False))
    assert [i.external_id for i in items] == ["oai:x:1", "oai:x:2", "oai:x:3", "oai:x:4"]


def test_no_records_match_yields_nothing():
    with serve(lambda *a: (200, error("noRecordsMatch"))) as (url, _):
        assert list(connector(url).harvest(None, full=False)) == []


def test_protocol_errors_stop_with_the_code():
    with (
        serve(lambda *a: (200, error("cannotDisseminateFormat"))) as (url, _),
        pytest.raises(OaiPmhError, match="cannotDisseminateFormat"),
    ):
        list(connector(url).harvest(None, full=False))


def test_record_without_title_or_metadata_is_a_failed_item():
    body = page(
        "<record><header><identifier>oai:x:9</identifier>"
        "<datestamp>2025-01-01</datestamp></header>"
        '<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/>'
        "</metadata></record>"
        "<record><header><identifier>oai:x:10</identifier>"
        "<datestamp>2025-01-01</datestamp></header></record>"
    )
    with serve(lambda *a: (200, body)) as (url, _):
        items = list(connector(url).harvest(None, full=False))
    assert [(type(i), i.reason) for i in items] == [
        (Failed, "record has no title"),
        (Failed, "record without metadata"),
    ]


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
    "<record><header><identifier>&lol3;</identifier></header></record></ListRecords></OAI-PMH>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>'
    "<identifier>&x;</identifier><datestamp>2025-01-01</datestamp></header></record>"
    "</ListRecords></OAI-PMH>"
)


@pytest.mark.parametrize(
    "body, message",
    [
        (BOMB, "DOCTYPE"),
        (XXE, "DOCTYPE"),
        (page(record(1))[:-30], "malformed"),
        ("<html><body>Service temporarily down</body></html>", "not an OAI-PMH response"),
        ("", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "malformed"),
    ],
)
def test_hostile_or_broken_pages_end_in_a_clear_error(body, message):
    with serve(lambda *a: (200, body)) as (url, _), pytest.raises(ConnectorError, match=message):
        list(connector(url).harvest(None, full=False))


def test_a_repeating_resumption_token_is_stopped():
    with (
        serve(lambda *a: (200, page(record(1), token="again"))) as (url, _),
        pytest.raises(ConnectorError, match="came back again"),
    ):
        list(connector(url).harvest(None, full=False))


def test_a_list_that_never_ends_is_capped():
    counter = iter(range(10**6))
    with (
        serve(lambda *a: (200, page(record(1), token=f"t{next(counter)}"))) as (url, _),
        pytest.raises(ConnectorError, match="does not end"),
    ):
        list(connector(url, max_pages=20).harvest(None, full=False))


def test_a_slow_source_times_out():
    import time

    def slow(*args):
        time.sleep(1.5)
        return 200, page(record(1))

    with serve(slow) as (url, _):
        config = SourceConfig(name="t", kind="oaipmh", url=url + "/oai")
        with pytest.raises(ConnectorError, match="Timeout|timed out"):
            list(
                OaiPmhConnector(config, loopback_client(timeout=0.3, retries=0)).harvest(
                    None, full=False
                )
            )


def test_the_cached_vocabulary_lookup_answers_as_the_plain_one():
    from connectors.oaipmh import CachedLookup
    from metadata.crosswalks import default_lookup

    plain = default_lookup()
    cached = CachedLookup(plain.vocabularies)
    for vocab, text in [
        ("subjects", "数学"),
        ("subjects", "math"),
        ("subjects", "数学"),
        ("grades", "三年级"),
        ("types", "nonsense"),
        ("licenses", None),
        ("stages", ["unhashable"]),
    ]:
        assert cached.code_for(vocab, text) == plain.code_for(vocab, text)
        if not isinstance(text, list):
            assert cached.has(vocab, text) == plain.has(vocab, text)
