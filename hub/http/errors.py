"""Plain-language messages for the HTTP errors Flask and Werkzeug raise, shared by API and pages."""

from __future__ import annotations

from sqlalchemy import exc as sql

from hub.errors import ServiceUnavailable, StorageFull
from hub.storage.space import is_disk_full

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
    500: "服务器内部错误，已记录，请稍后再试。"
    "Internal error; it has been logged, please try again later.",
}

# Seconds a client should wait before retrying a 503: a restarting database or store is back in
# a few seconds.
RETRY_AFTER = "5"

DATABASE_DOWN = (
    "数据库暂时无法连接，请几秒后重试。The database cannot be reached for a moment; "
    "please try again in a few seconds."
)


def unavailable_backend(error: Exception) -> ServiceUnavailable | None:
    """A backend that is down for a moment (the database restarting, its pool exhausted) as a 503
    the client can retry, instead of a 500; None for every other error. A full disk comes first:
    SQLite reports it as an OperationalError too, and the admin must free space, not wait."""
    if is_disk_full(error):
        return StorageFull()
    if isinstance(error, sql.OperationalError | sql.InterfaceError | sql.TimeoutError):
        return ServiceUnavailable(DATABASE_DOWN)
    if isinstance(error, sql.DBAPIError) and error.connection_invalidated:
        return ServiceUnavailable(DATABASE_DOWN)
    return None
