"""gzip for the hub's own pages, JSON and XML, for schools on slow links when no nginx compresses in
front.

Only whole, small-to-medium bodies the hub has just built are compressed: files being downloaded
(passed through or streamed), partial content, and responses whose ETag must keep naming the exact
bytes are sent as they are.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/xml",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/problem+json",
        "application/xml",
        "application/ld+json",
        "image/svg+xml",
    }
)
MIN_SIZE = 1024  # below one packet, gzip's header costs more than it saves
MAX_SIZE = 8 * 1024 * 1024  # larger bodies are files, sent as they are
LEVEL = 6
# Already encoded; a strong ETag names the uncompressed bytes (If-Match relies on it); attachments
# are files.
KEEP_AS_IS = frozenset({"content-encoding", "etag", "content-disposition"})


def wants_gzip() -> bool:
    """True if the client accepts gzip (a quality of 0 refuses it)."""
    return request.accept_encodings["gzip"] > 0


def compressible(response: Response) -> bool:
    if response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return False
    if response.mimetype not in COMPRESSIBLE:
        return False
    # One pass over the headers instead of a case-insensitive search for each name.
    for name, value in response.headers.items():
        name = name.lower()
        if name in KEEP_AS_IS or (name == "cache-control" and "no-transform" in value):
            return False
    return MIN_SIZE <= (response.content_length or 0) <= MAX_SIZE


def compress(response: Response) -> Response:
    if not compressible(response):
        return response
    response.vary.add("Accept-Encoding")  # caches must keep the plain and the gzipped body apart
    if not wants_gzip():
        return response
    body = gzip.compress(response.get_data(), compresslevel=LEVEL, mtime=0)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_compression(app: Flask) -> None:
    app.after_request(compress)
