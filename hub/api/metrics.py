"""Request counts and latencies per endpoint and status, kept in-process and written in Prometheus
text format."""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections import defaultdict

from flask import Blueprint, Flask, current_app, g, request

# Seconds; wide enough for a search (milliseconds) and a large upload (minutes) alike.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
EXTENSION = "eduhub_metrics"


class RequestMetrics:
    """Counters and a latency histogram; one per application (each gunicorn worker process keeps its
    own)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.buckets: dict[tuple[str, str], list[int]] = {}
        self.sums: dict[tuple[str, str], float] = defaultdict(float)

    def observe(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        key = (endpoint, method)
        with self._lock:
            self.requests[(endpoint, method, str(status))] += 1
            counts = self.buckets.setdefault(key, [0] * (len(BUCKETS) + 1))
            counts[bisect_left(BUCKETS, seconds)] += 1
            self.sums[key] += seconds

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP eduhub_process_start_time_seconds Start time of this process "
                "since the Unix epoch.",
                "# TYPE eduhub_process_start_time_seconds gauge",
                f"eduhub_process_start_time_seconds {self.started:.3f}",
                "# HELP eduhub_http_requests_total HTTP requests answered, by endpoint, "
                "method and status.",
                "# TYPE eduhub_http_requests_total counter",
            ]
            for (endpoint, method, status), count in sorted(self.requests.items()):
                lines.append(
                    "eduhub_http_requests_total"
                    f"{_labels(endpoint=endpoint, method=method, status=status)} {count}"
                )
            lines += [
                "# HELP eduhub_http_request_duration_seconds Time to answer, by endpoint "
                "and method.",
                "# TYPE eduhub_http_request_duration_seconds histogram",
            ]
            for key in sorted(self.buckets):
                lines.extend(self._histogram_lines(key))
        return "\n".join(lines) + "\n"

    def _histogram_lines(self, key: tuple[str, str]) -> list[str]:
        endpoint, method = key
        name = "eduhub_http_request_duration_seconds"
        counts, cumulative, out = self.buckets[key], 0, []
        for bound, count in zip([*map(str, BUCKETS), "+Inf"], counts):
            cumulative += count
            out.append(
                f"{name}_bucket{_labels(endpoint=endpoint, method=method, le=bound)} {cumulative}"
            )
        out.append(f"{name}_sum{_labels(endpoint=endpoint, method=method)} {self.sums[key]:.6f}")
        out.append(f"{name}_count{_labels(endpoint=endpoint, method=method)} {cumulative}")
        return out


def install(blp: Blueprint) -> None:
    """Hook the metrics into every request of the app the blueprint is registered on."""
    blp.record_once(lambda state: state.app.extensions.setdefault(EXTENSION, RequestMetrics()))
    blp.before_app_request(_start_timer)
    blp.after_app_request(_observe)


def metrics_for(app: Flask) -> RequestMetrics:
    return app.extensions[EXTENSION]


def _start_timer() -> None:
    g._metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("_metrics_started", None)
    if started is not None:
        # The endpoint name, not the path: paths hold ids and would make a series per resource.
        endpoint = request.endpoint or "unmatched"
        metrics_for(current_app).observe(
            endpoint, request.method, response.status_code, time.perf_counter() - started
        )
    return response


def _labels(**labels: str) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in labels.items()) + "}"
