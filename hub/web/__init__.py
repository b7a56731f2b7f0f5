"""The web hub: server-rendered pages (Chinese first, English beside), on the same services as the API."""
from __future__ import annotations

from flask import Flask


def init_web(app: Flask) -> None:
    """Register the pages, their template helpers and the security headers every page carries."""
    from hub.web import csrf, errors, filters, security
    from hub.web.views import create_blueprint

    bp = create_blueprint()
    filters.register(bp)
    csrf.register(bp)
    errors.register(bp)
    security.register(bp)
    app.register_blueprint(bp)
