"""Security headers on every web response: a CSP without inline scripts, no framing, no sniffing."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Response

from hub.http.context import current_hub

# JSON-LD blocks are data, not script, so `script-src 'self'` still lets harvesters read them.
# pdf.js runs its parser in a worker loaded from the hub itself (worker-src 'self'). On S3
# storage a video or a PDF the page shows is redirected to a presigned URL: that origin is added
# to media-src, img-src and connect-src (`csp`).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{storage}; "
    "media-src 'self'{storage}; connect-src 'self'{storage}; worker-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


@cache
def csp(storage_origin: str | None) -> str:
    return CSP.format(storage=f" {storage_origin}" if storage_origin else "")


def add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", csp(_storage_origin()))
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _storage_origin() -> str | None:
    try:
        return current_hub().storage.public_origin()
    except Exception:  # a storage that cannot sign now must not take the page's headers down
        return None


def register(bp: Blueprint) -> None:
    bp.after_request(add_headers)
