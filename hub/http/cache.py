"""Caching: nothing the hub answers is stored by a browser or proxy unless the answer says so.

A page or a private file cached on a shared school PC is readable by the next pupil at that desk,
so the default is `private, no-store`; public files, previews, vocabularies and assets opt in."""

from __future__ import annotations

from flask import Flask, Response

PRIVATE = "private, no-store"
PUBLIC_PAGE = (
    "public, max-age=60"  # a public resource page: brief, so a withdrawal shows within a minute
)


def default_private(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", PRIVATE)
    return response


def never_share_cookies(response: Response) -> None:
    """An answer that sets a cookie (a new session, a fresh token) is never stored, whatever
    the view said. Called once the session cookie is written, after every after_request function."""
    if "Set-Cookie" in response.headers:
        response.headers["Cache-Control"] = PRIVATE


def init_app(app: Flask) -> None:
    app.after_request(default_private)
