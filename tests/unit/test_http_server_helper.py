"""The shared loopback server the tests use: routes, handlers, bodies and the requests it saw."""

from __future__ import annotations

import http.client
import json

from tests.support.http_server import LoopbackServer, Reply


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
