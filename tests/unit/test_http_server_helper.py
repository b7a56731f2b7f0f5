"""The shared loopback server the tests use: routes, handlers, bodies and the requests it saw."""

from __future__ import annotations

import http.client
import json
import socket
import ssl

import pytest

from tests.support.http_server import LoopbackServer, Reply
from tests.support.outbound import self_signed


def call(server, method, target, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_routes_answer_before_the_handler_and_unknown_paths_are_404():
    routes = {"/fixed": (201, "已创建"), "/echo": lambda r: Reply(200, {"q": r.query})}
    with LoopbackServer(routes=routes) as server:
        assert call(server, "GET", "/fixed")[::2] == (201, "已创建".encode())
        status, headers, body = call(server, "GET", "/echo?verb=Identify&verb=x")
        assert (status, json.loads(body)) == (200, {"q": {"verb": "Identify"}})
        assert headers["Content-Type"] == "application/json"
        assert call(server, "GET", "/elsewhere")[0] == 404
    assert [r.target for r in server.requests] == [
        "/fixed",
        "/echo?verb=Identify&verb=x",
        "/elsewhere",
    ]


def test_the_handler_sees_method_body_and_headers_and_may_set_headers():
    def handler(request):
        return 200, {"X-Seen": request.headers["X-Test"]}, request.method.encode() + request.body

    with LoopbackServer(handler) as server:
        status, headers, body = call(server, "PUT", "/x", body=b"payload", headers={"X-Test": "1"})
        assert (status, headers["X-Seen"], body) == (200, "1", b"PUTpayload")
        assert headers["Content-Length"] == str(len(b"PUTpayload"))
        assert call(server, "HEAD", "/x")[2] == b""


def test_tls_serves_https_with_the_given_certificate(tmp_path):
    cert, key = self_signed(tmp_path, "localhost")
    context = ssl.create_default_context(cafile=cert)
    with LoopbackServer(routes={"/a": (200, "安全")}, tls=(cert, key)) as server:
        assert server.url.startswith("https://127.0.0.1:")
        conn = http.client.HTTPSConnection("localhost", server.port, timeout=5, context=context)
        try:
            conn.request("GET", "/a")
            response = conn.getresponse()
            assert (response.status, response.read()) == (200, "安全".encode())
        finally:
            conn.close()
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        with raw, pytest.raises(ssl.SSLCertVerificationError):  # another name is still refused
            context.wrap_socket(raw, server_hostname="elsewhere.example")


def test_an_iterator_body_is_streamed_without_a_length_unless_the_reply_gives_one():
    routes = {
        "/drip": (200, {}, iter([b"a", b"b", b"c"])),
        "/lie": lambda r: (200, {"Content-Length": "1000"}, iter([b"short"])),
    }
    with LoopbackServer(routes=routes) as server:
        status, headers, body = call(server, "GET", "/drip")
        assert (status, body, "Content-Length" in headers) == (200, b"abc", False)
        with pytest.raises(http.client.IncompleteRead):
            call(server, "GET", "/lie")
