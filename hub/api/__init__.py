"""The JSON API under /api/v1: blueprints, OpenAPI document, and the one error envelope."""

from __future__ import annotations

import importlib

from flask import Flask, request
from flask_smorest import Api

from hub.api import errors
from hub.api.docs import bp as docs
from hub.http import csrf

# Each module exposes `blp`, a flask_smorest.Blueprint; the order is the order in the API docs.
BLUEPRINT_MODULES = (
    "hub.api.resources",
    "hub.api.search",
    "hub.api.files",
    "hub.api.uploads",
    "hub.api.vocabularies",
    "hub.api.orgs",
    "hub.api.users",
    "hub.api.tokens",
    "hub.api.audit",
    "hub.api.health",
    "hub.api.oai",
    "hub.api.sources",
    "hub.api.mirrors",
    "hub.api.changes",
    "hub.api.previews",
    "hub.api.renditions",
    "hub.api.stats",
    "hub.api.bundles",
    "hub.api.collections",
    "hub.api.social",
    "hub.api.related",
)

API_PREFIXES = ("/api/", "/oai", "/readyz", "/metrics", "/healthz")


def _guard_cookie_writes() -> None:
    """A write made with the sign-in cookie must come from our own pages (token or same origin)."""
    if request.path.startswith(API_PREFIXES):
        csrf.check_cookie_write()


def init_api(app: Flask) -> Api:
    app.config.update(
        API_TITLE="EduHub API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "EduHub: shared educational resource repository and federation hub. "
                "教育资源共享与联邦枢纽。"
            },
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        },
    )
    api = errors.EnvelopeApi(app)

    for name in BLUEPRINT_MODULES:
        module = importlib.import_module(name)
        api.register_blueprint(module.blp)
    errors.register(app)
    app.before_request(_guard_cookie_writes)
    app.extensions["eduhub_api"] = api

    app.register_blueprint(docs)
    return api
