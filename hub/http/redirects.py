"""Where a `next` parameter may send the visitor: a path on this hub, never another site."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import Response, redirect, request, url_for

MAX_LENGTH = 2048


def _plain(char: str) -> bool:
    # Browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil"); spaces, controls and
    # invisible separators have no place in a path the hub wrote: any of them means "not ours".
    return char != "\\" and unicodedata.category(char)[0] not in "CZ"


def is_local_path(target: object) -> bool:
    """True for "/search?q=x"; False for "//evil", "/\\evil", "https://evil", "/\\t/evil"..."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    if not all(_plain(char) for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: object, fallback: str) -> str:
    """`target` if it is a path on this hub, else `fallback`.

    An open redirect would lend the hub's name to a phishing link."""
    return target if is_local_path(target) else fallback


def to_login() -> Response:
    """Login-required: off to the login page, and back here afterwards."""
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
