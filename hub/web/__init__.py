"""The web hub: server-rendered pages (Chinese first, English on request), on the same services as
the API."""

from __future__ import annotations

from flask import Flask

from hub.web import assets, csrf, errors, filters, i18n, player, security
from hub.web.views import create_blueprint


def init_web(app: Flask) -> None:
    """Register the pages, their template helpers and the security headers every page carries."""

    i18n.init_app(app)
    bp = create_blueprint()
    filters.register(bp)
    player.register(bp)
    csrf.register(bp)
    i18n.register(bp)
    assets.register(bp)
    errors.register(bp)
    security.register(bp)
    app.register_blueprint(bp)
