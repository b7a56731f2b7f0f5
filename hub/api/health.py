"""Liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics), outside /api/v1."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable

from flask import Response, current_app, request
from flask_smorest import Blueprint
from sqlalchemy import text

from hub.api import metrics
from hub.api.auth import current_principal
from hub.errors import HubError, NotFound, Unauthenticated
from hub.http.context import current_hub

log = logging.getLogger(__name__)

blp = Blueprint(
    "health",
    __name__,
    url_prefix=None,
    description="Liveness, readiness and metrics for operators.",
)
metrics.install(blp)

METRICS_TOKEN_NEEDED = (
    "请提供指标令牌。Send the metrics token: Authorization: Bearer <EDUHUB_METRICS_TOKEN>."
)
METRICS_OFF = (
    "未启用指标。Metrics are off: set EDUHUB_METRICS_TOKEN and scrape with it as a bearer token."
)


@blp.route("/healthz")
@blp.response(200)
def healthz():
    """Liveness: the process answers. Restart it only when this fails."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200)
@blp.alt_response(503, description="At least one backend failed its check.")
def readyz():
    """Readiness: every backend (database, object storage, search) answers; 503 takes the process
    out of rotation. Anonymous callers get the status alone; operators (an administrator or the
    metrics token) also get each check, with the backend's error text."""
    checks = {name: _timed(check) for name, check in _checks(current_hub()).items()}
    ready = all(c["ok"] for c in checks.values())
    body = {"status": "ok" if ready else "degraded"}
    if _is_operator():
        body["checks"] = checks
    return body, 200 if ready else 503


@blp.route("/metrics")
def metrics_text():
    """Request counts and latencies of every web process, outbox backlog, sync runs, storage and
    dropped usage events, in Prometheus text format.

    For the metrics token (EDUHUB_METRICS_TOKEN, as a bearer token) or an administrator; 401 for
    anyone else, 404 when no token is configured."""
    if not _is_operator():
        if current_hub().config.metrics_token:
            raise Unauthenticated(METRICS_TOKEN_NEEDED)
        raise NotFound(METRICS_OFF)
    return Response(metrics.render(current_app), content_type=metrics.CONTENT_TYPE)


def _metrics_token_sent() -> bool:
    expected = current_hub().config.metrics_token
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(sent.strip().encode(), expected.encode())


def _is_operator() -> bool:
    """The metrics token or a signed-in administrator; a bad API token leaves one anonymous."""
    if _metrics_token_sent():
        return True
    try:
        return current_principal().is_admin
    except HubError:
        return False


def _checks(hub) -> dict[str, Callable[[], object]]:
    return {
        "database": lambda: _ping_database(hub),
        "storage": lambda: hub.storage.check_ready(),
        "search": lambda: hub.index.check_ready(),
    }


def _ping_database(hub) -> None:
    with hub.db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _timed(check: Callable[[], object]) -> dict:
    started = time.perf_counter()
    try:
        result = check()
        ok, error = result is not False, None
    except Exception as exc:  # any failure of a backend means "not ready", never a 500
        log.warning("readiness check failed: %s", exc, exc_info=True)
        ok, error = False, f"{type(exc).__name__}: {str(exc)[:200]}"
    outcome = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if error:
        outcome["error"] = error
    return outcome
