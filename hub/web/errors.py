"""Errors on web pages: the same plain-language messages as the API, as a page with a way
onwards."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template
from werkzeug.exceptions import HTTPException

from hub.errors import HubError
from hub.http.errors import HTTP_MESSAGES, RETRY_AFTER, unavailable_backend

log = logging.getLogger(__name__)


def render_error(status: int, message: str):
    return render_template("error.html", status=status, message=message), status


def register(bp: Blueprint) -> None:
    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        return render_error(status, HTTP_MESSAGES.get(status) or error.description or error.name)

    @bp.errorhandler(HubError)
    def _hub_error(error: HubError):
        body, status = render_error(error.status, error.message)
        headers = {"Retry-After": RETRY_AFTER} if status == 503 else {}
        return body, status, headers

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception):
        if (down := unavailable_backend(error)) is not None:
            log.warning("backend unavailable on a web page: %s", error)
            return _hub_error(down)
        log.exception("unhandled error on a web page")
        return render_error(500, HTTP_MESSAGES[500])
