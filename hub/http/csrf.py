"""CSRF defences shared by the pages and the API: masked per-render tokens and a same-origin check.

The session keeps one random secret; every render hands out the secret XOR-ed with a fresh pad
(pad + masked), so a compressed page never repeats the same token bytes next to reflected input
(BREACH).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from urllib.parse import urlsplit

from flask import request, session

from hub.errors import Forbidden
from hub.http.principal import current_principal

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SECRET_BYTES = 32

CROSS_SITE_API = (
    "跨站请求已被拒绝：使用登录会话调用 API 写操作时须带 X-CSRF-Token 头或来自本站页面。"
    "Cross-site request refused: API writes made with the sign-in cookie must come from "
    "this hub's own pages (send the X-CSRF-Token header) or use an API token "
    "(Authorization: Bearer)."
)


def _secret() -> bytes:
    """This session's secret, made on first use (the login form needs one before anyone logs in)."""
    if SESSION_KEY not in session:
        rotate()
    return base64.urlsafe_b64decode(session[SESSION_KEY] + "==")


def rotate() -> None:
    """A fresh secret, e.g. after log-in, so a token seen before log-in is useless afterwards."""
    session[SESSION_KEY] = base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def masked_token() -> str:
    """The secret under a new random pad: a different string on every render, all of them valid."""
    pad = secrets.token_bytes(SECRET_BYTES)
    raw = pad + _xor(pad, _secret())
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unmask(token: str) -> bytes | None:
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii") + b"==")
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    if len(raw) != 2 * SECRET_BYTES:
        return None
    return _xor(raw[:SECRET_BYTES], raw[SECRET_BYTES:])


def token_valid(token: str | None) -> bool:
    """True if `token` is one of this session's masked tokens."""
    if not token or SESSION_KEY not in session:
        return False
    secret = _unmask(token)
    return secret is not None and hmac.compare_digest(secret, _secret())


def same_origin() -> bool | None:
    """Where the browser says the request comes from: True (here), False, or None (it says nothing).

    `Sec-Fetch-Site` is set by every current browser and no page can forge it; else `Origin`."""
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if not origin:
        return None
    if origin == "null":
        return False
    ours, theirs = urlsplit(request.host_url), urlsplit(origin)
    return (theirs.scheme, theirs.netloc.lower()) == (ours.scheme, ours.netloc.lower())


def check_cookie_write() -> None:
    """An API write made with the session cookie needs our token header or a same-origin browser.

    Bearer-token calls and anonymous calls carry no ambient authority, so they pass untouched;
    so does a cookie that no longer signs anyone in (a disabled account's)."""
    if request.method in SAFE_METHODS or request.headers.get("Authorization"):
        return
    if not session.get("uid") or not current_principal().is_authenticated:
        return
    if token_valid(request.headers.get(HEADER)) or same_origin() is True:
        return
    raise Forbidden(CROSS_SITE_API)
