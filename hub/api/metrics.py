"""Prometheus metrics through prometheus_client: requests and latencies per endpoint, plus the
hub's own state (outbox backlog, sync runs, storage, usage events dropped) read at scrape time.

Under `eduhub serve` PROMETHEUS_MULTIPROC_DIR is set, every gunicorn worker writes its counters to
files there, and a scrape answered by any worker adds up all of them. Without it (tests, `flask
run`) each application keeps its own registry.
"""

from __future__ import annotations

import os
import threading
import time

from flask import Blueprint, Flask, current_app, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from hub.db.models.events import OutboxMessage
from hub.db.models.resources import Blob
from hub.db.models.sources import SyncRun
from hub.http.context import current_hub

# Seconds; wide enough for a search (milliseconds) and a large upload (minutes) alike.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
EXTENSION = "eduhub_metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def multiprocess_dir() -> str | None:
    path = os.environ.get(MULTIPROC_ENV)
    return path if path and os.path.isdir(path) else None


class RequestMetrics:
    """The request counter and histogram of one application (one per gunicorn worker)."""

    def __init__(self):
        self.shared = multiprocess_dir() is not None
        if self.shared and values.ValueClass is values.MutexValue:
            # prometheus_client picks its value class when first imported, which may be before
            # `eduhub serve` set the directory; the metrics below must write to files.
            values.ValueClass = values.get_value_class()
        # In multiprocess mode the values live in files; a private registry only keeps tests
        # (many apps in one process) from colliding in the global one.
        registry = None if self.shared else CollectorRegistry()
        self.own = registry
        self.requests = Counter(
            "eduhub_http_requests",
            "HTTP requests answered, by endpoint, method and status.",
            ("endpoint", "method", "status"),
            registry=registry,
        )
        self.duration = Histogram(
            "eduhub_http_request_duration_seconds",
            "Time to answer, by endpoint and method.",
            ("endpoint", "method"),
            buckets=BUCKETS,
            registry=registry,
        )
        self.dropped = Counter(
            "eduhub_usage_events_dropped",
            "Usage events left out because the buffer was full (the writer is behind or down).",
            registry=registry,
        )
        self._dropped_seen = 0
        self._lock = threading.Lock()
        # (endpoint, method, status) -> its two series: `labels()` checks and locks on every call.
        # As many keys as series the registry itself keeps; two threads may both add one (same).
        self._series: dict[tuple, tuple] = {}

    def observe(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        key = (endpoint, method, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (
                self.requests.labels(endpoint, method, str(status)),
                self.duration.labels(endpoint, method),
            )
        series[0].inc()
        series[1].observe(seconds)

    def note_dropped(self, dropped: int) -> None:
        """The usage recorder keeps a plain count; the counter takes what is new since last time."""
        with self._lock:  # requests finish on several threads at once
            if dropped > self._dropped_seen:
                self.dropped.inc(dropped - self._dropped_seen)
                self._dropped_seen = dropped

    def render(self, hub) -> bytes:
        """One scrape: this app's (or every worker's) series and the hub's state, freshly read."""
        registry = CollectorRegistry()
        if self.shared:
            multiprocess.MultiProcessCollector(registry)
        else:
            registry.register(_Collected(self.own))
        registry.register(HubState(hub))
        return generate_latest(registry)


class _Collected:
    """Another registry's series, so that each scrape builds its own registry (scrapes may
    overlap in threads)."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


class HubState:
    """Figures read from the database at scrape time: the same whichever worker answers."""

    def __init__(self, hub):
        self.hub = hub

    def collect(self):
        with self.hub.db.session() as session:
            yield self._outbox(session)
            yield self._sync(session)
            yield from self._storage(session)

    @staticmethod
    def _outbox(session) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "eduhub_outbox_backlog",
            "Outbox messages not yet processed (the worker's queue), by topic.",
            labels=("topic",),
        )
        rows = session.execute(
            select(OutboxMessage.topic, func.count())
            .where(OutboxMessage.processed.is_(None))
            .group_by(OutboxMessage.topic)
        )
        for topic, count in rows:
            family.add_metric((topic,), int(count))
        return family

    @staticmethod
    def _sync(session) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "eduhub_sync_runs", "Sync runs kept in the database, by status.", labels=("status",)
        )
        counts = dict(
            session.execute(select(SyncRun.status, func.count()).group_by(SyncRun.status)).all()
        )
        for status in ("queued", "running", "succeeded", "partial", "failed"):
            family.add_metric((status,), int(counts.get(status, 0)))
        return family

    @staticmethod
    def _storage(session):
        count, size = session.execute(
            select(func.count(), func.coalesce(func.sum(Blob.size), 0))
        ).one()
        yield GaugeMetricFamily("eduhub_storage_objects", "Stored file objects.", value=int(count))
        yield GaugeMetricFamily(
            "eduhub_storage_bytes", "Bytes in the stored file objects.", value=int(size)
        )


def install(blp: Blueprint) -> None:
    """Hook the metrics into every request of the app the blueprint is registered on."""
    blp.record_once(lambda state: state.app.extensions.setdefault(EXTENSION, RequestMetrics()))
    blp.before_app_request(_start_timer)
    blp.after_app_request(_observe)


def metrics_for(app: Flask) -> RequestMetrics:
    return app.extensions[EXTENSION]


def render(app: Flask) -> bytes:
    return metrics_for(app).render(current_hub())


def _start_timer() -> None:
    g._metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("_metrics_started", None)
    if started is not None:
        metrics = metrics_for(current_app)
        # The endpoint name, not the path: paths hold ids and would make a series per resource.
        endpoint = request.endpoint or "unmatched"
        metrics.observe(
            endpoint, request.method, response.status_code, time.perf_counter() - started
        )
        usage = getattr(current_hub(), "usage", None)
        if usage is not None:
            metrics.note_dropped(usage.dropped)
    return response
