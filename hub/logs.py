"""Logs: one JSON object per line (or plain text), each line of a request carrying its request id.

The id comes from a well-formed incoming `X-Request-Id` (nginx's `$request_id`, a load balancer's)
or is made here, and goes back in the response's `X-Request-Id`, so a teacher's error report, the
proxy's log and the hub's lines can be matched. `EDUHUB_LOG_FORMAT=json|text` picks the format;
`eduhub serve` defaults to json.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

HEADER = "X-Request-Id"
FORMAT_ENV = "EDUHUB_LOG_FORMAT"
FORMATS = ("json", "text")
# What proxies send (UUIDs, hex, nginx's $request_id); anything else could forge log lines.
VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
access = logging.getLogger("hub.access")
# One encoder: json.dumps with options builds a new one for every line.
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestContext(logging.Filter):
    """Adds the request's id, method and path to every record logged while it is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        if has_request_context() and not hasattr(record, "method"):
            record.method, record.path = request.method, request.path
        return True


class JsonFormatter(logging.Formatter):
    FIELDS = ("request_id", "method", "path", "status", "duration")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which gunicorn worker
        }
        line.update(
            {k: getattr(record, k) for k in self.FIELDS if getattr(record, k, None) is not None}
        )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return _encode(line)


def chosen_format(default: str = "text") -> str:
    value = os.environ.get(FORMAT_ENV, "").strip().lower()
    return value if value in FORMATS else default


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT)


def configure(fmt: str) -> None:
    """The root logger writes `fmt` lines to stderr (the hub's loggers propagate to it)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    handler.addFilter(RequestContext())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def adopt(logger_name: str, fmt: str) -> None:
    """Another library's logger (gunicorn's) writes the same lines."""
    for handler in logging.getLogger(logger_name).handlers:
        handler.setFormatter(formatter(fmt))
        handler.addFilter(RequestContext())


def _start() -> None:
    sent = request.headers.get(HEADER, "")
    g.request_id = sent if VALID_ID.fullmatch(sent) else uuid.uuid4().hex
    g.log_started = time.perf_counter()


def _finish(response):
    rid = g.get("request_id")
    if rid:
        response.headers[HEADER] = rid
        seconds = time.perf_counter() - g.get("log_started", time.perf_counter())
        if access.isEnabledFor(logging.INFO):
            access.handle(_access_record(rid, response.status_code, round(seconds, 6)))
    return response


def _access_record(rid: str, status: int, duration: float) -> logging.LogRecord:
    """The access line as `access.info` makes it, without looking for the caller's file and line
    (a walk up the stack on every request; no format of ours prints them), and with what
    `RequestContext` would add already there."""
    method, path = request.method, request.path
    record = access.makeRecord(
        access.name, logging.INFO, __file__, 0, "%s %s %s", (method, path, status), None, "_finish"
    )
    record.request_id, record.method, record.path = rid, method, path
    record.status, record.duration = status, duration
    return record


def init_app(app: Flask) -> None:
    # First in, so that every other hook's log lines already carry the id.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
