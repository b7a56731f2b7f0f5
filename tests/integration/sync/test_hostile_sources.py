"""Hostile partner hubs: 500s then success, garbage, a never-ending answer, a lying checksum."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub.security.principal import SYSTEM
from tests.support.fake_source import record

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

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/file"):
                return self._send(200, b"hello")
            if "since=1" in self.path:
                return self._send(200, json.dumps({"changes": [], "next": "1"}).encode())
            status, body, delay = answers.pop(0) if len(answers) > 1 else answers[0]
            time.sleep(delay)
            self._send(status, body)

        def _send(self, status, body):
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield answers, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def sync(hub, url, answers, script, fetch_files=False):
    answers[:] = script
    source = hub.sources.create(
        SYSTEM,
        {
            "name": "partner",
            "kind": "hub",
            "url": url,
            "fetch_files": fetch_files,
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
