"""Which record a harvested item belongs to when another path brought it first.

A record reaching the hub by two paths (the national platform directly, and again through a
county hub that harvested it) carries the same first origin (`metadata.provenance.origin_key`)
on both. The path that arrives first creates the record (its `source_id`, `external_id`); every
later path is a `ResourcePath` row beside it, whichever order they come in. A path's withdrawal
removes that path only: the record is withdrawn when its last path goes, and when its first path
goes while another remains, the next one takes its place.

One `PathRouter` serves one batch of one source, for both writers: `load` looks up the batch's
paths and hosts in a few queries, `route`/`attach` decide per item, `write` inserts the new paths.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, insert, select, update

from connectors.outbound import public_link
from hub.db.base import utcnow
from hub.db.models import Resource, ResourcePath
from metadata import provenance

PATHS = ResourcePath.__table__
_LOOKUP = 500


class PathRouter:
    """Provenance for one source's batch: `stamp` each record, `route` those another path owns."""

    def __init__(self, session, *, source_id: int, kind: str | None, url: str | None):
        self.session, self.source_id = session, source_id
        self.kind, self.url = kind or "hub", url
        self.paths: dict[str, dict] = {}  # external id -> its path row (this source's)
        self.hosts: dict[str, str] = {}  # origin key -> the live record that holds it
        self.pending: dict[str, dict] = {}  # external id -> a path row to insert or update

    def stamp(self, external_id: str, record: Mapping) -> dict:
        return provenance.stamp(record, kind=self.kind, url=self.url, external_id=external_id)

    def load(self, owned: set[str], external_ids, records: Mapping[str, Mapping]) -> None:
        """This source's paths and the records' hosts, for the items it does not own itself."""
        strangers = [e for e in dict.fromkeys(external_ids) if e not in owned]
        self._load_paths([e for e in strangers if e not in self.paths])
        keys = {
            provenance.origin_key(self.stamp(e, records[e])["provenance"])
            for e in strangers
            if e not in self.paths and e in records
        }
        self._load_hosts([k for k in keys if k and k not in self.hosts])

    def _load_paths(self, strangers: list[str]) -> None:
        for chunk in _chunks(strangers):
            query = select(PATHS).where(
                PATHS.c.source_id == self.source_id, PATHS.c.external_id.in_(chunk)
            )
            for row in self.session.execute(query).mappings():
                self.paths[row["external_id"]] = dict(row)

    def _load_hosts(self, keys: list[str]) -> None:
        for chunk in _chunks(keys):
            query = select(Resource.id, Resource.origin_key).where(
                Resource.origin_key.in_(chunk),
                Resource.status != "withdrawn",
                Resource.is_latest.is_(True),
            )
            for resource_id, key in self.session.execute(query).all():
                self.hosts.setdefault(key, resource_id)

    def route(self, external_id: str, record: Mapping) -> str | None:
        """The record that holds this item, when another path brought it first; else None."""
        path = self.paths.get(external_id)
        if path is not None:
            return path["resource_id"]
        return self.hosts.get(provenance.origin_key(record.get("provenance")))

    def claim(self, record: Mapping, resource_id: str) -> None:
        """A record this batch created: later items with its origin key join it."""
        key = provenance.origin_key(record.get("provenance"))
        if key:
            self.hosts.setdefault(key, resource_id)

    def attach(self, resource_id: str, external_id: str, record: Mapping) -> str:
        """Record this source as one more path of `resource_id`: updated, or unchanged."""
        values = {
            "resource_id": resource_id,
            "source_id": self.source_id,
            "external_id": external_id,
            "origin_url": public_link(record.get("origin_url")),  # http(s) only: it is a link
            "via": provenance.clean_via(record["provenance"].get("via")),
        }
        current = self.paths.get(external_id)
        if current is not None and all(current.get(k) == v for k, v in values.items()):
            return "unchanged"
        row = {**(current or {}), **values, "updated": utcnow()}
        self.paths[external_id] = self.pending[external_id] = row
        return "updated"

    def detach(self, external_id: str) -> str:
        """This source withdrew a record another path brought first: drop its path only."""
        path = self.paths.pop(external_id, None)
        self.pending.pop(external_id, None)
        if path is None or path.get("id") is None:
            return "unchanged"
        self.session.execute(delete(PATHS).where(PATHS.c.id == path["id"]))
        return "deleted"

    def promote(self, resource_id: str, current_provenance: Mapping | None) -> bool:
        """The record's first path withdrew it: if another path still has it, that path becomes
        its first (and the record stays); False when none is left."""
        self.write()
        successor = (
            self.session.execute(
                select(PATHS)
                .where(PATHS.c.resource_id == resource_id)
                .order_by(PATHS.c.id)
                .limit(1)
            )
            .mappings()
            .first()
        )
        if successor is None:
            return False
        kept = dict(current_provenance or {})
        kept["via"] = list(successor["via"] or [])
        self.session.execute(
            update(Resource.__table__)
            .where(Resource.__table__.c.id == resource_id)
            .values(
                source_id=successor["source_id"],
                external_id=successor["external_id"],
                origin_url=successor["origin_url"],
                provenance=kept,
            )
        )
        self.session.execute(delete(PATHS).where(PATHS.c.id == successor["id"]))
        return True

    def write(self) -> None:
        """The paths added or changed so far, into the caller's transaction."""
        if not self.pending:
            return
        self.session.flush()  # a path may name a record the ORM writer has not sent yet
        fresh = [r for r in self.pending.values() if r.get("id") is None]
        known = [r for r in self.pending.values() if r.get("id") is not None]
        if fresh:
            self.session.execute(insert(PATHS), [_columns(r) for r in fresh])
        for row in known:
            self.session.execute(update(PATHS).where(PATHS.c.id == row["id"]).values(_columns(row)))
        self.pending = {}
        for row in fresh:  # their ids are unknown here: look them up again when needed
            self.paths.pop(row["external_id"], None)


class NullPathRouter(PathRouter):
    """Every item is its own record, no origin stamped (provenance off): what a writer does when
    given no router, and the baseline that measures what the router costs."""

    def __init__(self, session=None, **_ignored):
        super().__init__(session, source_id=0, kind=None, url=None)

    def stamp(self, external_id, record) -> dict:
        return record

    def load(self, owned, external_ids, records) -> None:
        return None

    def route(self, external_id, record) -> None:
        return None

    def claim(self, record, resource_id) -> None:
        return None

    def detach(self, external_id) -> str:
        return "unchanged"

    def promote(self, resource_id, current_provenance) -> bool:
        return False

    def write(self) -> None:
        return None


def _columns(row: Mapping) -> dict:
    names = ("resource_id", "source_id", "external_id", "origin_url", "via", "updated")
    return {name: row[name] for name in names}


def _chunks(items: list):
    for start in range(0, len(items), _LOOKUP):
        yield items[start : start + _LOOKUP]
