"""The Flask application factory: configuration, HTTP plumbing, services, API, web pages."""

from __future__ import annotations

import logging

from flask import Flask

from config import Config
from hub import logs
from hub.api import init_api
from hub.bootstrap import bootstrap
from hub.compression import init_compression
from hub.http import init_http
from hub.web import init_web


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        # Set per request by hub.http.bodies: the upload limit for file endpoints, else forms'.
        MAX_CONTENT_LENGTH=config.max_form_bytes,
        MAX_FORM_MEMORY_SIZE=config.max_form_bytes,
        JSON_AS_ASCII=False,
        TESTING=config.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    init_http(app, config)
    logs.init_app(app)

    app.extensions["eduhub"] = bootstrap(config)  # read through hub.http.context.current_hub
    init_api(app)
    init_web(app)
    init_compression(app)
    logging.getLogger("hub").setLevel(logging.INFO)
    return app
