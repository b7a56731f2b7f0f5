"""An in-memory OpenSearch-compatible server (`osmem-server` from PyPI) on a spare loopback port,
for tests."""

from __future__ import annotations

import socket

_server = None


class Unavailable(RuntimeError):
    """osmem-server is not installed or did not start."""


def _spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server():
    """The one osmem-server of this test process (started on first use; it exits with the
    process)."""
    global _server
    if _server is None or _server.process.poll() is not None:
        try:
            from osmem_server import OsmemError, OsmemServer
        except ImportError as exc:
            raise Unavailable(
                f"osmem-server is not installed ({exc}); pip install osmem-server"
            ) from exc
        try:
            # No Japanese analysis: the hub sends pre-analysed text and only needs the whitespace
            # analyser.
            _server = OsmemServer.start(addr=f"127.0.0.1:{_spare_port()}", japanese=False)
        except (OsmemError, OSError) as exc:
            raise Unavailable(str(exc)) from exc
    return _server


def clone_url() -> tuple[str, object]:
    """A fresh, empty cluster (a copy-on-write clone of the base): its URL and a handle to `close()`
    it."""
    clone = server().clone()
    return clone.url, clone


def stop() -> None:
    global _server
    if _server is not None:
        _server.close()
        _server = None
