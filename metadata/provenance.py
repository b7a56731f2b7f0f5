"""Provenance chains: a harvested record's first origin and the hubs it passed through.

Pure functions over plain values, shared by the hub connector (what a peer's feed says of a
record's origin, typed and bounded here) and the harvest writers (the origin a record keeps).
The origin key `kind:id` names one record wherever it travels: two paths that carry the same key
are the same record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MAX_VIA = 16  # hubs remembered between the origin and the immediate source
MAX_ID = 500
MAX_URL = 2000
_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,15}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_origin(value) -> dict | None:
    """`{"kind", "hub", "id"}` from what a peer said, or None when it is not a usable origin."""
    if not isinstance(value, Mapping):
        return None
    kind, origin_id = value.get("kind"), value.get("id")
    if not isinstance(kind, str) or not _KIND.match(kind):
        return None
    if not isinstance(origin_id, str) or not 0 < len(origin_id) <= MAX_ID:
        return None
    if _CONTROL.search(origin_id):
        return None
    return {"kind": kind, "hub": clean_url(value.get("hub")), "id": origin_id}


def clean_url(value) -> str | None:
    """An http(s) address of a hub, or None: it is shown as text and never fetched."""
    if not isinstance(value, str) or len(value) > MAX_URL or _CONTROL.search(value):
        return None
    return value if value.startswith(("http://", "https://")) else None


def clean_via(value) -> list[str]:
    if not isinstance(value, list):
        return []
    hubs = [clean_url(v) for v in value[:MAX_VIA]]
    return [h for h in hubs if h]


def carried(upstream) -> dict:
    """What a peer hub's record says of its own provenance, kept by the hub that harvests it:
    the first origin, and the hubs between it and the peer (the peer's own first path)."""
    if not isinstance(upstream, Mapping):
        return {}
    out: dict = {}
    origin = clean_origin(upstream.get("origin"))
    if origin is not None:
        out["origin"] = origin
        out["via"] = _upstream_via(upstream.get("paths"))
    return out


def _upstream_via(paths) -> list[str]:
    """The peer's first path as hubs: those it passed through, then the hub the peer read."""
    first = paths[0] if isinstance(paths, list) and paths else None
    if not isinstance(first, Mapping):
        return []
    via = clean_via(first.get("via"))
    hub = clean_url(first.get("hub"))
    return (via + [hub] if hub else via)[-MAX_VIA:]


def stamp(record: Mapping, *, kind: str, url: str | None, external_id: str) -> dict:
    """`record` with `provenance.origin` set: the one it carries, else the immediate source."""
    provenance = record.get("provenance")
    provenance = dict(provenance) if isinstance(provenance, Mapping) else {}
    origin = clean_origin(provenance.get("origin"))
    if origin is None:
        origin = {"kind": kind, "hub": clean_url(url), "id": str(external_id)[:MAX_ID]}
        provenance.pop("via", None)
    provenance["origin"] = origin
    return {**record, "provenance": provenance}


def origin_key(provenance) -> str | None:
    """`kind:id` of a provenance's origin: the same record wherever it travelled."""
    origin = provenance.get("origin") if isinstance(provenance, Mapping) else None
    if not isinstance(origin, Mapping) or not origin.get("kind") or not origin.get("id"):
        return None
    return f"{origin['kind']}:{origin['id']}"
