"""The HTTP layer beneath hub/api and hub/web: proxies, cookies, CSRF, body limits, caching."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import Config
from hub.http import bodies, cache, cookies
from hub.http.json_provider import JSONProvider


def init_http(app: Flask, config: Config) -> None:
    """Wire the request-level rules every blueprint relies on (before the blueprints)."""
    if config.trusted_proxies > 0:
        # Trust exactly that many hops: forwarded headers from further out are a client's word.
        n = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    app.url_map.converters["int"] = RowIdConverter
    app.json = JSONProvider(app)  # UTF-8 as it is, keys in their order; orjson for answers
    app.session_interface = cookies.SessionInterface()
    bodies.init_app(app)
    cache.init_app(app)


class RowIdConverter(IntegerConverter):
    """`<int:...>` in a route: an id no database column can hold is simply not found (404), instead
    of reaching the database as a number SQLite cannot bind (a 500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's parameter name)
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)
