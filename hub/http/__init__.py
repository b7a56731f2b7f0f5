"""The HTTP layer beneath hub/api and hub/web: proxies, cookies, CSRF, body limits, caching."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config
from hub.http import bodies, cache, cookies


def init_http(app: Flask, config: Config) -> None:
    """Wire the request-level rules every blueprint relies on (before the blueprints)."""
    if config.trusted_proxies > 0:
        # Trust exactly that many hops: forwarded headers from further out are a client's word.
        n = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    app.session_interface = cookies.SessionInterface()
    bodies.init_app(app)
    cache.init_app(app)
