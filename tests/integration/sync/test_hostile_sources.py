"""Hostile partner hubs: 500s then success, garbage, a never-ending answer, a lying checksum."""

from __future__ import annotations

import json
import time

import pytest

from hub.security.principal import SYSTEM
from tests.support.fake_source import record
from tests.support.http_server import LoopbackServer

GOOD_PAGE = {
    "changes": [
        {
            "seq": 1,
            "op": "upsert",
            "resource": {
                "id": "r1",
                **record(1),
                "files": [
                    {"name": "a.pdf", "size": 5, "sha256": "0" * 64, "mimetype": "application/pdf"}
                ],
                "links": {"files": {"a.pdf": "/file"}},
            },
        }
    ],
    "next": "1",
}


@pytest.fixture
def partner():
    answers = []

    def answer(request):
        if request.target.startswith("/file"):
            return 200, b"hello"
        if "since=1" in request.target:
            return 200, json.dumps({"changes": [], "next": "1"}).encode()
        status, body, delay = answers.pop(0) if len(answers) > 1 else answers[0]
        time.sleep(delay)
        return status, body

    with LoopbackServer(answer) as server:
        yield answers, server.url


def sync(hub, url, answers, script, fetch_files=False):
    answers[:] = script
    source = hub.sources.create(
        SYSTEM,
        {
            "name": "partner",
            "kind": "hub",
            "url": url,
            "fetch_files": fetch_files,
            "allow_private_host": True,
            "options": {"retries": 2, "backoff": 0.01, "timeout": 0.5},
        },
    )
    run = hub.sync.start(SYSTEM, source["id"])
    return hub.sync.run(run["id"])


def test_500s_then_success_is_a_successful_run(hub, partner):
    answers, url = partner
    run = sync(
        hub, url, answers, [(500, b"", 0), (503, b"", 0), (200, json.dumps(GOOD_PAGE).encode(), 0)]
    )
    assert run["status"] == "succeeded" and run["counts"]["created"] == 1


def test_garbage_ends_the_run_with_a_clear_error(hub, partner):
    answers, url = partner
    run = sync(hub, url, answers, [(200, b"\x00\xffnot json at all", 0)])
    assert run["status"] == "failed" and "not JSON" in run["errors"][0]["message"]


def test_a_source_slower_than_the_timeout_fails_cleanly(hub, partner):
    answers, url = partner
    run = sync(hub, url, answers, [(200, json.dumps(GOOD_PAGE).encode(), 2.0)])
    assert run["status"] == "failed" and "Timeout" in run["errors"][0]["message"]


def test_a_file_whose_checksum_lies_fails_that_record_only(hub, partner):
    answers, url = partner
    run = sync(hub, url, answers, [(200, json.dumps(GOOD_PAGE).encode(), 0)], fetch_files=True)
    assert run["status"] == "partial" and run["counts"]["failed"] == 1
    failure = hub.sync.failures(SYSTEM, run["id"])[0]
    assert "SHA-256" in failure["reason"] and failure["external_id"] == "r1"
