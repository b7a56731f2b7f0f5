"""One loopback HTTP server for tests: a handler or a table of routes decides every answer.

    with LoopbackServer(routes={"/oai": (200, {"Content-Type": "text/xml"}, body)}) as server:
        fetch(server.url + "/oai")
        assert server.requests[0].query == {"verb": "ListRecords"}

A handler takes a `Request` and returns a `Reply`, or a tuple `(status, body)` or
`(status, headers, body)`; a body is bytes, text (sent as UTF-8), a dict or list (sent as JSON), or
an iterator of bytes (sent block by block as it comes, with no Content-Length unless the reply
sets one: a drip, a flood, a lying length). The server runs in a thread per request, so a handler
may stall (a slow-source test) without blocking the next request. A client that hangs up early is
ignored. `tls=(certificate file, key file)` serves https (see tests/support/outbound.self_signed).
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, str]  # the first value of each parameter
    headers: Message
    body: bytes
    target: str  # the path with its query string, exactly as sent


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict | list | Iterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, answer) -> Reply:
        if isinstance(answer, Reply):
            return answer
        if len(answer) == 2:
            return cls(status=answer[0], body=answer[1])
        return cls(status=answer[0], headers=dict(answer[1]), body=answer[2])

    def encoded(self) -> tuple[bytes | Iterator[bytes], dict[str, str]]:
        headers = dict(self.headers)
        body = self.body
        if isinstance(body, Iterator):
            return body, headers  # streamed: the length is whatever the reply says, if anything
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        headers.setdefault("Content-Length", str(len(body)))
        return body, headers


NOT_FOUND = Reply(404, b"not found")


class LoopbackServer:
    """A threaded HTTP(S) server on 127.0.0.1 and a free port; a context manager (or start/stop)."""

    def __init__(
        self,
        handler: Callable[[Request], object] | None = None,
        routes: dict[str, object] | None = None,
        *,
        keep_alive: bool = False,
        tls: tuple[str, str] | None = None,
        port: int = 0,
    ):
        self.handler = handler
        self.bind_port = port  # 0: a free one; a restarted server takes its old port again
        self.routes = dict(routes or {})
        self.keep_alive = keep_alive
        self.tls = tls
        self.requests: list[Request] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def answer(self, request: Request) -> Reply:
        """The route for the path (a reply, or a handler) wins; else the handler; else 404."""
        self.requests.append(request)
        route = self.routes.get(request.path)
        if route is None:
            return Reply.of(self.handler(request)) if self.handler else NOT_FOUND
        return Reply.of(route(request) if callable(route) else route)

    def start(self) -> LoopbackServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.bind_port), _handler_class(self))
        self._httpd.daemon_threads = True
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _handler_class(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if server.keep_alive else "HTTP/1.0"

        def handle_one(self):
            request = self._request()
            reply = server.answer(request)
            body, headers = reply.encoded()
            try:
                self.send_response(reply.status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if self.command != "HEAD":
                    self._write(body)
            except OSError:
                pass  # the client gave up (timeout and size-cap tests)

        def _write(self, body: bytes | Iterator[bytes]) -> None:
            if isinstance(body, bytes):
                self.wfile.write(body)
                return
            self.close_connection = True  # no length: the end of the body is the end of the stream
            for block in body:
                self.wfile.write(block)
                self.wfile.flush()

        def _request(self) -> Request:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            return Request(
                method=self.command,
                path=parts.path,
                query={k: v[0] for k, v in parse_qs(parts.query).items()},
                headers=self.headers,
                body=self.rfile.read(length) if length else b"",
                target=self.path,
            )

        def log_message(self, *args):
            pass

    for method in METHODS:
        setattr(Handler, f"do_{method}", Handler.handle_one)
    return Handler
