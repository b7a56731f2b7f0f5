"""API: province insight -- overview, usage, coverage and the 22 counties (`/api/v1/stats/*`)."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from hub.api.auth import current_principal
from hub.api.stats_export import as_download, wanted_format
from hub.errors import InvalidInput
from hub.http.context import current_hub
from hub.services.stats import FILTERS, parse_day

blp = Blueprint(
    "stats", __name__, url_prefix="/api/v1/stats", description="Usage and coverage. 统计。"
)
FORMATS = {
    "parameters": [
        {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}}
    ]
}


def _answer(data: dict, rows: list[dict], name: str):
    fmt = wanted_format()
    return as_download(rows, name, fmt) if fmt else data


@blp.route("/overview", methods=["GET"])
@blp.doc(
    summary="Public totals: resources, files, downloads, views, activity, schools, sync", **FORMATS
)
def overview():
    data = current_hub().stats.overview()
    flat = [{"key": k, "label": k, "count": v} for k, v in _flatten(data)]
    return _answer(data, flat, "overview")


@blp.route("/usage", methods=["GET"])
@blp.doc(
    summary="Events by day, month, region, city, org, subject, stage, grade, type or source",
    description=(
        "`count` and `visitors` are exact. `visitors` counts visitor-days: a visitor's key changes"
        " daily, so one person on three days of the range counts three times."
    ),
    security=[{"bearer": []}],
    parameters=[
        {"name": n, "in": "query", "schema": {"type": "string"}}
        for n in ("event", "by", "from", "to", *FILTERS, "format")
    ],
)
def usage():
    args = request.args
    data = current_hub().stats.usage(
        current_principal(),
        event=args.get("event", "download"),
        by=args.get("by", "day"),
        start=parse_day(args.get("from"), "from"),
        end=parse_day(args.get("to"), "to"),
        **{name: args.get(name) for name in FILTERS},
    )
    return _answer(data, data["rows"], f"usage-{data['event']}-{data['by']}")


@blp.route("/coverage", methods=["GET"])
@blp.doc(
    summary="Every valid stage-subject-grade(-edition-volume) combination, or stage-major for "
    "vocational and higher stages (by=stage,major): local, national, gap",
    security=[{"bearer": []}],
    parameters=[
        {"name": n, "in": "query", "schema": {"type": "string"}}
        for n in ("by", "min", "stage", "subject", "format")
    ],
)
def coverage():
    args = request.args
    data = current_hub().stats.coverage(
        current_principal(),
        by=args.get("by", "stage,subject,grade"),
        minimum=_minimum(args.get("min", "1")),
        stage=args.get("stage"),
        subject=args.get("subject"),
    )
    return _answer(data, data["rows"], "coverage")


@blp.route("/regions", methods=["GET"])
@blp.doc(
    summary="Ningxia's 22 counties and districts at a glance", security=[{"bearer": []}], **FORMATS
)
def regions():
    data = current_hub().stats.regions(current_principal())
    return _answer(data, data["rows"], "regions")


def _minimum(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        raise InvalidInput("min 应为非负整数。Give `min` as a whole number, 0 or more.")
    return int(text)


def _flatten(data: dict, prefix: str = ""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        elif not isinstance(value, list):
            yield f"{prefix}{key}", value
