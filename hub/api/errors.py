"""One table maps domain errors to HTTP; every error leaves as {"status", "message", "errors"}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from hub.errors import Gone, HubError, RangeNotSatisfiable, flatten_messages
from hub.http.errors import HTTP_MESSAGES, RETRY_AFTER, unavailable_backend

log = logging.getLogger(__name__)

__all__ = ["HTTP_MESSAGES", "EnvelopeApi", "envelope", "register"]


def envelope(status: int, message: str, errors: list | None = None, **extra):
    body = {"status": status, "message": message, "errors": errors or []}
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    return response


class EnvelopeApi(Api):
    """flask-smorest's Api, answering its own errors (e.g. webargs' 422) in our envelope."""

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        errors = []
        if messages:
            # webargs nests by location ("json", "query"); the field names are what a client needs.
            for location_messages in messages.values():
                errors.extend(flatten_messages(location_messages))
        message = (
            data.get("message") or HTTP_MESSAGES.get(status) or error.description or error.name
        )
        response = envelope(status, message, errors)
        for key, value in (
            (getattr(error, "headers", None) or {}).items()
            if isinstance(getattr(error, "headers", None), dict)
            else []
        ):
            response.headers[key] = value
        return response


def register(app: Flask) -> None:
    @app.errorhandler(HubError)
    def _hub_error(error: HubError):
        extra = {}
        if isinstance(error, Gone) and error.tombstone is not None:
            extra["tombstone"] = error.tombstone
        response = envelope(error.status, error.message, error.errors, **extra)
        if isinstance(error, RangeNotSatisfiable):
            response.headers["Content-Range"] = f"bytes */{error.size}"
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="eduhub"'
        if error.status == 503:
            response.headers["Retry-After"] = RETRY_AFTER
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return app.extensions["eduhub_api"].handle_http_exception(error)
        if (down := unavailable_backend(error)) is not None:
            log.warning("backend unavailable: %s", error)
            return _hub_error(down)
        log.exception("unhandled error")
        return envelope(500, HTTP_MESSAGES[500])
