"""The hub's own stylesheets, scripts and icons: links carry a hash of the file, so browsers keep
them for a year.

A school on a slow link then fetches each asset once per release instead of revalidating it on every
page. A link with a stale or missing hash still works; it is just not cached for long.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, request

STATIC = Path(__file__).parent / "static"
ONE_YEAR = 365 * 24 * 3600
ENDPOINT = "web.static"


@lru_cache(maxsize=256)
def fingerprint(filename: str) -> str | None:
    """First 12 hex digits of the file's SHA-256 (files change only with a release); None if there
    is no such file."""
    path = (STATIC / filename).resolve()
    if STATIC.resolve() not in path.parents or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def add_fingerprint(endpoint: str, values: dict) -> None:
    """url_for('web.static', filename=...) gains ?v=<fingerprint>."""
    if endpoint == ENDPOINT and "filename" in values and "v" not in values:
        version = fingerprint(values["filename"])
        if version:
            values["v"] = version


def cache_headers(response: Response) -> Response:
    if request.endpoint != ENDPOINT or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    if request.args.get("v") and request.args.get("v") == fingerprint(filename):
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response


def register(bp: Blueprint) -> None:
    bp.url_defaults(add_fingerprint)
    bp.after_request(cache_headers)
