"""`eduhub sources add|list` and `eduhub sync`: a run that fails exits non-zero and says why."""

from __future__ import annotations

import socket

import pytest

from tests.support.http_server import LoopbackServer

OAI_EMPTY = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2026-11-29T00:00:00Z</responseDate>
<request verb="ListRecords">http://127.0.0.1/oai</request>
<error code="noRecordsMatch">none</error></OAI-PMH>"""


@pytest.fixture
def empty_oai():
    with LoopbackServer(lambda request: (200, {"Content-Type": "text/xml"}, OAI_EMPTY)) as server:
        yield f"{server.url}/oai"


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sync_of_an_unreachable_source_fails_with_exit_code_1(eduhub):
    added = eduhub(
        "sources",
        "add",
        "--name",
        "gone",
        "--kind",
        "oaipmh",
        "--url",
        f"http://127.0.0.1:{_dead_port()}/oai",
        "--schedule",
        "0 2 * * *",
        "--allow-private-host",
    )
    assert added.exit_code == 0, added.output
    assert "gone" in eduhub("sources", "list").output
    result = eduhub("sync", "gone", "--inline")
    assert result.exit_code == 1
    assert "failed" in result.output


def test_sync_of_a_source_with_nothing_new_succeeds(eduhub, empty_oai):
    assert (
        eduhub(
            "sources",
            "add",
            "--name",
            "quiet",
            "--kind",
            "oaipmh",
            "--url",
            empty_oai,
            "--allow-private-host",
        ).exit_code
        == 0
    )
    result = eduhub("sync", "quiet", "--inline")
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output


def test_sync_of_an_unknown_source_says_so(eduhub):
    result = eduhub("sync", "nobody")
    assert result.exit_code != 0 and "nobody" in result.output
