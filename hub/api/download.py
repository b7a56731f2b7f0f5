"""Serving a stored file: conditional requests, single byte ranges, and sendfile under gunicorn.

Werkzeug serves ranges in 8 KiB blocks (ten times slower than nginx, DESIGN.md); here the file is
positioned at the range start and handed to the server's `wsgi.file_wrapper` with an exact
Content-Length, so gunicorn sends the range with sendfile(2). Other servers get a bounded reader.
"""

from __future__ import annotations

import re

from flask import Response, request

from hub.errors import RangeNotSatisfiable
from hub.http import cache
from hub.services.files import Download
from hub.storage.names import content_disposition

BLOCK = 1 << 20
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One `bytes=a-b` range as (start, end inclusive); None means the whole file (absent or
    multi-range)."""
    if not header or "," in header:
        return None
    match = _RANGE.match(header)
    if not match or (not match.group(1) and not match.group(2)):
        return None  # a malformed Range is ignored (RFC 9110 14.2)
    first, last = match.group(1), match.group(2)
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
        if start >= size or (last and int(last) < start):
            raise RangeNotSatisfiable(
                "请求的范围超出文件大小。The requested range is outside the file.", size
            )
        return start, end
    suffix = int(last)
    if suffix == 0:
        raise RangeNotSatisfiable("请求的范围为空。The requested range is empty.", size)
    return max(size - suffix, 0), size - 1


def send_download(download: Download, *, inline: bool = False) -> Response:
    """The file, or the byte range asked for; `inline` for what the page plays or shows itself."""
    etag = f'"{download.sha256}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(download.name, inline=inline),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, max-age=86400" if download.public else cache.PRIVATE,
    }
    if _matches(request.headers.get("If-None-Match"), download.sha256):
        return Response(status=304, headers=headers)
    byte_range = None
    if_range = request.headers.get("If-Range")
    if not if_range or if_range.strip() == etag:
        byte_range = parse_range(request.headers.get("Range"), download.size)
    start, end = byte_range or (0, download.size - 1)
    length = max(end - start + 1, 0)
    status = 206 if byte_range else 200
    if byte_range:
        headers["Content-Range"] = f"bytes {start}-{end}/{download.size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status=status, headers=headers, mimetype=download.mimetype)
    body = _body(download.path, start, length)
    response = Response(
        body, status=status, headers=headers, mimetype=download.mimetype, direct_passthrough=True
    )
    return response


def _matches(header: str | None, sha256: str) -> bool:
    if not header:
        return False
    tags = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return "*" in tags or sha256 in tags


def _body(path, start: int, length: int):
    # Not a `with`: the file is handed to the response, which closes it once it is sent.
    fh = open(path, "rb")  # noqa: SIM115
    fh.seek(start)
    wrapper = request.environ.get("wsgi.file_wrapper")
    if wrapper is not None and request.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        # gunicorn sends exactly Content-Length bytes from the current offset with sendfile.
        return wrapper(fh, BLOCK)
    return _bounded(fh, length)


def _bounded(fh, length: int):
    try:
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(BLOCK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()
