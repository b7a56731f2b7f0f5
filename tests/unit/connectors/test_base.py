"""HttpClient against a hostile loopback server: retries with back-off, Retry-After, caps, garbage,
slowness."""

from __future__ import annotations

import io
import time

import pytest

from connectors.base import ChecksumMismatch, ConnectorError, HttpError, TooLarge
from tests.support.http_server import LoopbackServer
from tests.support.outbound import loopback_client


class Script:
    """Per-path queues of (status, headers, body, delay) answers; the last answer repeats."""

    def __init__(self):
        self.answers: dict[str, list] = {}
        self.hits: dict[str, int] = {}

    def next(self, path):
        self.hits[path] = self.hits.get(path, 0) + 1
        queue = self.answers.get(path) or [(404, {}, b"", 0)]
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def server():
    script = Script()

    def answer(request):
        status, headers, body, delay = script.next(request.path)
        time.sleep(delay)
        return status, {"Content-Length": str(len(body)), **headers}, body

    with LoopbackServer(answer) as loopback:
        script.base = loopback.url
        yield script


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    return loopback_client(timeout=2, retries=3, backoff=0.5, sleep=sleeps.append)


def test_5xx_then_success_is_retried_with_exponential_backoff(server, client, sleeps):
    server.answers["/a"] = [(500, {}, b"", 0), (503, {}, b"", 0), (200, {}, b'{"ok": true}', 0)]
    assert client.get_json(server.base + "/a") == {"ok": True}
    assert sleeps == [0.5, 1.0]


def test_429_honours_retry_after(server, client, sleeps):
    server.answers["/a"] = [(429, {"Retry-After": "7"}, b"", 0), (200, {}, b"[]", 0)]
    assert client.get_json(server.base + "/a") == []
    assert sleeps == [7.0]


def test_a_source_that_keeps_failing_gives_a_clear_error(server, client):
    server.answers["/a"] = [(502, {}, b"", 0)]
    with pytest.raises(HttpError, match="HTTP 502") as error:
        client.get_bytes(server.base + "/a")
    assert error.value.status == 502 and server.hits["/a"] == 4


def test_4xx_is_not_retried(server, client):
    server.answers["/a"] = [(401, {}, b"", 0)]
    with pytest.raises(HttpError, match="HTTP 401"):
        client.get_bytes(server.base + "/a")
    assert server.hits["/a"] == 1


def test_a_slow_source_times_out_and_is_retried(server, sleeps):
    server.answers["/slow"] = [(200, {}, b"late", 1.5), (200, {}, b"{}", 0)]
    client = loopback_client(timeout=0.3, retries=2, sleep=sleeps.append)
    assert client.get_json(server.base + "/slow") == {}
    assert len(sleeps) == 1


def test_garbage_json_names_the_url(server, client):
    server.answers["/g"] = [(200, {}, b"<html>oops</html>", 0)]
    with pytest.raises(ConnectorError, match="not JSON"):
        client.get_json(server.base + "/g")


def test_bodies_over_the_cap_are_refused(server, client):
    server.answers["/big"] = [(200, {}, b"x" * 5000, 0)]
    with pytest.raises(TooLarge):
        client.get_bytes(server.base + "/big", max_bytes=1000)


def test_stream_to_checks_the_sha256(server, client):
    import hashlib

    server.answers["/f"] = [(200, {}, b"hello", 0)]
    sink = io.BytesIO()
    assert client.stream_to(
        server.base + "/f", sink, expected_sha256=hashlib.sha256(b"hello").hexdigest()
    ) == (5, hashlib.sha256(b"hello").hexdigest())
    with pytest.raises(ChecksumMismatch):
        client.stream_to(server.base + "/f", io.BytesIO(), expected_sha256="0" * 64)
