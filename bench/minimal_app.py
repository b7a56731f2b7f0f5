"""The upload ceiling: a bare WSGI endpoint that streams the request body through SHA-256 into a
file, nothing else.

Run under the same gunicorn options as the hub, so the ratio hub/minimal measures only what the hub
adds (routing, auth, database, sniffing, fsync). `BENCH_MINIMAL_FSYNC=1` adds the fsync the hub does
for durability.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

CHUNK = 1 << 20
TMP_DIR = os.environ.get("BENCH_MINIMAL_DIR") or tempfile.gettempdir()
FSYNC = os.environ.get("BENCH_MINIMAL_FSYNC") == "1"


def app(environ, start_response):
    if environ["REQUEST_METHOD"] != "PUT":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok\n"]
    stream, remaining = environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0)
    digest, size = hashlib.sha256(), 0
    fd, path = tempfile.mkstemp(dir=TMP_DIR, prefix="minimal-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            while remaining > 0:
                chunk = stream.read(min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                size += len(chunk)
                digest.update(chunk)
                out.write(chunk)
            if FSYNC:
                out.flush()
                os.fsync(out.fileno())
    finally:
        os.unlink(path)  # the bench keeps nothing: 1 GiB a run
    body = json.dumps({"size": size, "sha256": digest.hexdigest()}).encode()
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
