"""One sync batch of harvested records written page-at-a-time with SQLAlchemy Core, not one ORM object a record.

The rules are those of `HarvestedMixin.upsert_harvested` / `tombstone_harvested` (same outcomes, same rows): one
SELECT finds the batch's existing records, the records live as plain dicts while the batch is applied (a record
named twice sees its own earlier change), and `write` sends one INSERT for the new ones, one UPDATE (executemany)
for the changed ones and the change rows in the order the records were applied, inside the caller's transaction.
Records with files to attach still go the ORM way (the sync service decides).
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from connectors.outbound import public_link
from hub.db.base import new_id, utcnow
from hub.db.models import Change, Organisation, Resource
from hub.services import records
from hub.services.changes import lock_feed
from hub.services.harvested import parse_time

TABLE = Resource.__table__
# What an upsert compares and an update writes; every changed row writes all of them, so one statement serves all.
STATE_COLUMNS = records.EDITABLE_FIELDS + (
    "status",
    "published",
    "revision",
    "updated",
    "origin_url",
    "provenance",
)
_LOOKUP = 500  # external ids per IN (...) list


class HarvestBatch:
    """`batch.load(ids)`, then `upsert`/`tombstone` per item in source order, then `write()` before the commit."""

    def __init__(self, resources, uow, *, source_id: int, org_id: int, publish: bool):
        self.resources, self.uow = resources, uow
        self.source_id, self.org_id, self.publish = source_id, org_id, publish
        self.rows: dict[str, dict] = {}  # external id -> the record's current state
        self.new: dict[str, None] = {}  # external ids to INSERT, in order
        self.dirty: dict[str, None] = {}  # existing external ids to UPDATE
        self.changes: list[tuple[str, str]] = []  # (resource id, op) in the order applied
        self._region = _UNSET

    def load(self, external_ids) -> None:
        """The batch's existing records, in one query per 500 ids."""
        wanted = [e for e in dict.fromkeys(external_ids) if e not in self.rows]
        columns = [TABLE.c.id, TABLE.c.external_id] + [TABLE.c[name] for name in STATE_COLUMNS]
        for start in range(0, len(wanted), _LOOKUP):
            query = select(*columns).where(
                TABLE.c.source_id == self.source_id,
                TABLE.c.external_id.in_(wanted[start : start + _LOOKUP]),
            )
            for row in self.uow.session.execute(query).mappings():
                self.rows[row["external_id"]] = dict(row)

    def upsert(self, external_id: str, record: dict) -> str:
        """created, updated or unchanged; raises ValidationFailed before changing anything."""
        fields = self.resources.validate_harvested(
            {k: v for k, v in record.items() if k in records.EDITABLE_FIELDS}
        )
        row = self.rows.get(external_id)
        outcome = "updated"
        if row is None:
            row = self.rows[external_id] = self._new_row(external_id)
            outcome = "created"
        changed = _apply(row, fields)
        provenance = record.get("provenance") if isinstance(record.get("provenance"), dict) else {}
        origin_url = public_link(record.get("origin_url"))
        changed |= _apply(row, {"origin_url": origin_url, "provenance": provenance})
        target = "published" if self.publish else "submitted"
        if row["status"] != target and not (outcome == "updated" and row["status"] == "published"):
            row["status"], changed = target, True
        if outcome == "updated" and not changed:
            return "unchanged"
        if row["status"] == "published" and row["published"] is None:
            row["published"] = parse_time(record.get("published")) or utcnow()
        self._touch(external_id, row, "upsert" if row["status"] == "published" else None)
        return outcome

    def tombstone(self, external_id: str) -> str:
        row = self.rows.get(external_id)
        if row is None or row["status"] == "withdrawn":
            return "unchanged"
        was_published = row["status"] == "published"
        row["status"] = "withdrawn"
        self._touch(external_id, row, "delete" if was_published else None)
        return "deleted"

    def write(self) -> None:
        """Everything applied so far, into the caller's transaction."""
        session = self.uow.session
        if self.new:
            session.execute(insert(TABLE), [self.rows[e] for e in self.new])
        if self.dirty:
            # executemany: the SET clause is every key of the parameter sets but `_id`, which names the row.
            session.execute(
                update(TABLE).where(TABLE.c.id == bindparam("_id")),
                [
                    {**{n: self.rows[e][n] for n in STATE_COLUMNS}, "_id": self.rows[e]["id"]}
                    for e in self.dirty
                ],
            )
        if self.changes:
            lock_feed(session.connection())  # Core skips the ORM hook that takes it
            now = utcnow()
            session.execute(
                insert(Change.__table__),
                [{"resource_id": rid, "op": op, "at": now} for rid, op in self.changes],
            )
        self.new, self.dirty, self.changes = {}, {}, []

    # -- helpers -------------------------------------------------------------------------------------------------
    def _touch(self, external_id: str, row: dict, change: str | None) -> None:
        row["revision"] = (row["revision"] or 0) + 1
        row["updated"] = utcnow()
        if external_id not in self.new:
            self.dirty[external_id] = None
        self.uow.index_later(row["id"])
        if change:
            self.changes.append((row["id"], change))

    def _new_row(self, external_id: str) -> dict:
        """Every column, as `_new_harvested` and the model's defaults would set them (Core INSERTs need them all)."""
        resource_id, now = new_id(), utcnow()
        self.new[external_id] = None
        row = dict.fromkeys(STATE_COLUMNS)
        row.update({name: [] for name in records.LIST_FIELDS})
        row.update(
            id=resource_id,
            lineage_id=resource_id,
            version=1,
            previous_id=None,
            is_latest=True,
            revision=0,
            language="zh",
            description="",
            visibility="public",
            region=self._org_region(),
            org_id=self.org_id,
            owner_id=None,
            source_id=self.source_id,
            external_id=external_id,
            provenance={},
            review_comment=None,
            downloads=0,
            created=now,
            updated=now,
        )
        return row

    def _org_region(self):
        if self._region is _UNSET:
            self._region = self.uow.session.scalar(
                select(Organisation.region).where(Organisation.id == self.org_id)
            )
        return self._region


_UNSET = object()


def _apply(row: dict, data: dict) -> bool:
    """Copy values that differ, as `records.apply_fields` does for an ORM object; True if any did."""
    changed = False
    for name, value in data.items():
        if name in records.LIST_FIELDS:
            value = list(value or [])
        if row.get(name) != value:
            row[name] = value
            changed = True
    return changed
