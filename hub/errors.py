"""Domain errors raised by services; the API maps each class to one HTTP status."""

from __future__ import annotations


class HubError(Exception):
    """Base class. `message` is written for the person who made the request."""

    status = 400

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class InvalidInput(HubError):
    """The request could not be understood (bad syntax, bad header)."""

    status = 400


class ValidationFailed(HubError):
    """Well-formed but wrong: fields that break the schema or a vocabulary."""

    status = 422

    @classmethod
    def from_messages(cls, messages: dict, message: str | None = None) -> ValidationFailed:
        return cls(
            message or "请修正以下字段后重试。Please correct the fields listed and try again.",
            errors=flatten_messages(messages),
        )


class Unauthenticated(HubError):
    status = 401


class Forbidden(HubError):
    status = 403


class NotFound(HubError):
    status = 404


class Gone(HubError):
    """A withdrawn resource: the tombstone is still reported to harvesters."""

    status = 410

    def __init__(self, message: str, tombstone: dict | None = None):
        super().__init__(message)
        self.tombstone = tombstone


class Conflict(HubError):
    status = 409


class PreviewFailed(HubError):
    """The hub tried to preview the file and a sandbox limit stopped it: download it instead."""

    status = 422


class PreconditionFailed(HubError):
    status = 412


class PreconditionRequired(HubError):
    status = 428


class PayloadTooLarge(HubError):
    status = 413


class UnsupportedMediaType(HubError):
    status = 415


class RangeNotSatisfiable(HubError):
    status = 416

    def __init__(self, message: str, size: int):
        super().__init__(message)
        self.size = size


class TooManyRequests(HubError):
    status = 429


class ServiceUnavailable(HubError):
    status = 503


class StorageFull(ServiceUnavailable):
    """The disk under the data directory is full: nothing was stored, and the same request works
    once an administrator frees space (503 with Retry-After, not 507: see ARCHITECTURE.md)."""

    MESSAGE = (
        "服务器磁盘已满，本次内容未保存；请管理员清理数据目录所在的磁盘后重试。"
        "The hub's disk is full and nothing was saved; an administrator must free space on the "
        "data directory's disk, then try again."
    )

    def __init__(self, message: str | None = None):
        super().__init__(message or self.MESSAGE)


def flatten_messages(messages, prefix: str = "") -> list[dict]:
    """Turn marshmallow's nested message dict into the envelope's `[{field, messages}]` list."""
    if isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            return [{"field": prefix or "_schema", "messages": list(messages)}]
        return [e for m in messages for e in flatten_messages(m, prefix)]
    if isinstance(messages, str):
        return [{"field": prefix or "_schema", "messages": [messages]}]
    out: list[dict] = []
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        out.extend(flatten_messages(value, name))
    return out


class BundleRejected(HubError):
    """An offline bundle that cannot be trusted or read; nothing of it was imported."""

    status = 422
