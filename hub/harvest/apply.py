"""The one rule that applies a harvested item: status, provenance, origin link, change row.

A pure function over plain values. The ORM writer (`hub.harvest.orm`) and the page-at-a-time Core
writer (`hub.harvest.batch`) both call it and only persist what it decided, so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from connectors.outbound import public_link
from hub.services.defaults import new_resource_defaults
from hub.services.records import EDITABLE_FIELDS, LIST_FIELDS
from metadata.provenance import origin_key

# The columns the rule reads and may write; a writer hands it their current values.
STATE_COLUMNS = EDITABLE_FIELDS + (
    "status",
    "published",
    "revision",
    "updated",
    "origin_url",
    "provenance",
    "origin_key",
)


@dataclass(frozen=True)
class Applied:
    """What applying one item decided: its outcome, the columns to write, the change row's op."""

    outcome: str  # created, updated, unchanged or deleted
    values: dict = field(default_factory=dict)  # empty: nothing to write, nothing to index
    change: str | None = None  # "upsert" or "delete" for the changes feed, None for no row


_LISTS = frozenset(LIST_FIELDS)
_DEFAULTS = new_resource_defaults()
# What `new_resource_defaults()` says of the columns the rule does not touch (all immutable).
ROW_DEFAULTS = {k: v for k, v in _DEFAULTS.items() if k not in STATE_COLUMNS}
_BLANK = {name: _DEFAULTS.get(name) for name in STATE_COLUMNS}


def blank_state(region: str | None = None) -> dict:
    """The state a new harvested record starts from: the defaults, its organisation's region,
    revision 0 (its first apply counts one). Lists and dicts are fresh, never shared."""
    state = {**_BLANK, "revision": 0, "region": region, "provenance": {}}
    for name in LIST_FIELDS:
        state[name] = []
    return state


def upsert(
    base: Mapping, fields: Mapping, record: Mapping, *, new: bool, publish: bool, now: datetime
) -> Applied:
    """Apply the validated editable `fields` of `record` to `base` (a `blank_state` if new).

    A source that needs review puts its records in review; a record a reviewer already
    published stays published when its source sends it again."""
    outcome = "created" if new else "updated"
    provenance = record.get("provenance")
    values = _differences(base, fields)
    links = {
        "origin_url": public_link(record.get("origin_url")),  # http(s) only: it becomes a link
        "provenance": provenance if isinstance(provenance, dict) else {},
        "origin_key": origin_key(provenance),  # one record however many paths bring it
    }
    values.update(_differences(base, links))
    status = base["status"]
    target = "published" if publish else "submitted"
    if status != target and not (outcome == "updated" and status == "published"):
        values["status"] = status = target
    if outcome == "updated" and not values:
        return Applied("unchanged")
    if status == "published" and base["published"] is None:
        values["published"] = parse_time(record.get("published")) or now
    values.update(revision=(base["revision"] or 0) + 1, updated=now)
    return Applied(outcome, values, "upsert" if status == "published" else None)


def tombstone(current: Mapping | None, *, now: datetime) -> Applied:
    """Withdraw a record the source deleted; a change row only if the feed had published it."""
    if current is None or current["status"] == "withdrawn":
        return Applied("unchanged")
    values = {"status": "withdrawn", "revision": (current["revision"] or 0) + 1, "updated": now}
    return Applied("deleted", values, "delete" if current["status"] == "published" else None)


def parse_time(value) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _differences(base: Mapping, data: Mapping) -> dict:
    """The values of `data` that differ from `base` (lists compared and stored as lists)."""
    out = {}
    for name, value in data.items():
        if name in _LISTS:
            value = list(value or [])
        if base.get(name) != value:
            out[name] = value
    return out
