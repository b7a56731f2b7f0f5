"""The province on one screen (`/admin/insight`): totals, usage over time, coverage, counties, sync.

The numbers come from the stats service, which scopes them (admins the province, org admins and
reviewers their subtree). The page carries them as JSON for the charts and as tables beneath them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from hub.errors import Unauthenticated
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.http.redirects import to_login
from hub.web.filters import label
from hub.web.i18n import current_lang

DAYS = 90
EVENTS = ("download", "view", "search")


def insight():
    principal = current_principal()
    stats = current_hub().stats
    try:
        scope = stats.scope(principal)
    except Unauthenticated:
        return to_login()
    usage = _usage(stats, principal)
    coverage = _coverage(stats.coverage(principal, by="stage,subject"))
    counties = _counties(stats.regions(principal)["rows"])
    return render_template(
        "insight.html",
        whole=scope is None,
        overview=stats.overview(),
        usage=usage,
        coverage=coverage,
        counties=counties,
        sources=current_hub().sources.list(principal) if principal.is_admin else None,
        charts=_charts(usage, coverage, counties),
    )


def _usage(stats, principal) -> dict:
    """Daily counts of each event over the last DAYS days, missing days as 0."""
    end = datetime.now(UTC).date()
    start = end - timedelta(days=DAYS - 1)
    days = [(start + timedelta(days=i)).isoformat() for i in range(DAYS)]
    counts = stats.usage_series(principal, EVENTS, start, end)
    series = {event: [counts[event].get(d, 0) for d in days] for event in EVENTS}
    return {"days": days, "series": series, "weeks": _weeks(days, series)}


def _weeks(days: list[str], series: dict) -> list[dict]:
    """The table under the chart: one row a week (90 rows would not help anyone)."""
    weeks: dict[str, dict] = {}
    for i, day in enumerate(days):
        monday = date.fromisoformat(day) - timedelta(days=date.fromisoformat(day).weekday())
        row = weeks.setdefault(monday.isoformat(), dict.fromkeys(EVENTS, 0))
        for event in EVENTS:
            row[event] += series[event][i]
    return [{"week": k, **v} for k, v in weeks.items()]


def _coverage(data: dict) -> dict:
    stages = list(dict.fromkeys(r["stage"] for r in data["rows"]))
    subjects = list(dict.fromkeys(r["subject"] for r in data["rows"]))
    cells = {(r["stage"], r["subject"]): r for r in data["rows"]}
    return {
        "stages": [{"code": s, "label": label(s, "stages")} for s in stages],
        "subjects": [{"code": s, "label": label(s, "subjects")} for s in subjects],
        "cells": cells,
        "gaps": sum(1 for r in data["rows"] if r["gap"]),
        "national_synced_at": data["national_synced_at"],
    }


def _counties(rows: list[dict]) -> list[dict]:
    """County names in the page's language (the service gives the Chinese ones)."""
    if current_lang() == "zh":
        return rows
    return [{**row, "name": label(row["code"], "regions")} for row in rows]


def _charts(usage: dict, coverage: dict, counties: list[dict]) -> dict:
    """What insight.js draws: data plus the chart texts in the page's language."""
    cells = [
        [
            x,
            y,
            cell["local"],
            cell["gap"],
            url_for("web.search", stage=stage["code"], subject=subject["code"]),
        ]
        for y, stage in enumerate(coverage["stages"])
        for x, subject in enumerate(coverage["subjects"])
        if (cell := coverage["cells"].get((stage["code"], subject["code"])))
    ]
    return {
        "map": url_for("web.static", filename="vendor/echarts/ningxia.json"),
        "usage": {"days": usage["days"], "series": usage["series"]},
        "coverage": {
            "stages": [s["label"] for s in coverage["stages"]],
            "subjects": [s["label"] for s in coverage["subjects"]],
            "cells": cells,
        },
        "counties": [
            {
                "code": c["code"],
                "name": c["name"],
                "value": c["downloads_per_teacher"],
                "southern_mountain": bool(c["southern_mountain"]),
            }
            for c in counties
        ],
        "text": {
            "download": _("Downloads"),
            "view": _("Views"),
            "search": _("Searches"),
            "local": _("Local resources"),
            "gap": _("gap"),
            "per_teacher": _("Downloads per teacher"),
            "southern": _("Southern mountain area"),
            "no_data": _("no data"),
        },
    }


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/insight", "admin_insight", insight, methods=["GET"])
