"""Cookies that say `Secure` whenever the visitor came over https (directly or via a proxy)."""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from hub.http import cache


def secure() -> bool:
    """True when this request came over TLS, as seen through the trusted proxies (ProxyFix)."""
    return has_request_context() and request.is_secure


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure per request: one hub may serve http on the LAN
    and https through its proxy, and a cookie set over https must never travel over plain http."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or secure()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        super().save_session(app, session, response)
        cache.never_share_cookies(response)
