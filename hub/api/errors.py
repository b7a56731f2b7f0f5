"""One table maps domain errors to HTTP; every error leaves as {"status", "message", "errors"}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from hub.errors import Gone, HubError, RangeNotSatisfiable, flatten_messages

log = logging.getLogger(__name__)

# Plain-language messages for errors raised by Flask/Werkzeug itself.
HTTP_MESSAGES = {
    400: "请求无法解析，请检查格式。The request could not be understood; check its format.",
    401: "请先登录或提供有效的令牌。Please log in or send a valid API token.",
    403: "您没有执行此操作的权限。You are not allowed to do this.",
    404: "未找到该页面或资源。Not found: check the address.",
    405: "此地址不支持该请求方法。This address does not accept that method.",
    406: "无法提供所请求的格式。The requested format is not available.",
    413: "上传的内容超过大小限制。The upload is larger than the limit allows.",
    415: "不支持的内容类型。This content type is not supported.",
    422: "请修正以下字段后重试。Please correct the fields listed and try again.",
    429: "请求过于频繁，请稍后再试。Too many requests; please wait and try again.",
    500: "服务器内部错误，已记录，请稍后再试。Internal error; it has been logged, please try again later.",
}


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
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return app.extensions["eduhub_api"].handle_http_exception(error)
        log.exception("unhandled error")
        return envelope(500, HTTP_MESSAGES[500])
