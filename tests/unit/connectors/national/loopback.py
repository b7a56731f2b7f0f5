"""The connector tests' loopback server: handler(method, path, query, headers) -> (status, body).

A thin adapter over `tests.support.http_server`, kept for the request tuples these tests read.
"""

from __future__ import annotations

from contextlib import contextmanager

from tests.support.http_server import LoopbackServer


@contextmanager
def serve(handler):
    """Yields the base URL and the requests seen, each as (path, query, headers)."""
    requests: list = []

    def answer(request):
        requests.append((request.path, request.query, dict(request.headers)))
        return handler(request.method, request.path, request.query, request.headers)

    with LoopbackServer(answer) as server:
        yield server.url, requests
