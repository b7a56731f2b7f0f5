"""Cookies that say `Secure` whenever the visitor came over https (directly or via a proxy)."""

from __future__ import annotations

from flask import Flask, Request, Response, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

from hub.http import cache


def secure() -> bool:
    """True when this request came over TLS, as seen through the trusted proxies (ProxyFix)."""
    return has_request_context() and request.is_secure


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure per request: one hub may serve http on the LAN
    and https through its proxy, and a cookie set over https must never travel over plain http.

    A request without the cookie (most API calls) gets an empty session without building the
    signer, and an empty, unchanged session writes nothing: only `Vary: Cookie` when it was read."""

    def __init__(self):
        self._signing: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # The same keys make the same serializer, which keeps no state between calls: build it
        # once per key set instead of twice a request.
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made_for, serializer = self._signing
        if made_for != keys:
            serializer = super().get_signing_serializer(app)
            self._signing = (keys, serializer)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or secure()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if session or session.modified:
            super().save_session(app, session, response)
        elif session.accessed:  # what Flask does for an empty session nobody changed
            response.vary.add("Cookie")
        cache.never_share_cookies(response)
