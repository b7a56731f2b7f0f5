"""One sync batch of harvested records written page-at-a-time with SQLAlchemy Core.

The rule is `hub.harvest.apply`, as for the ORM writer: one SELECT finds the batch's existing
records, they live as plain dicts while the batch is applied (a record named twice sees its own
earlier change), and `write` sends one INSERT for the new ones, one UPDATE (executemany) for the
changed ones and the change rows in the order applied, inside the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from hub.db.base import new_id, utcnow
from hub.db.models import Change, Organisation, Resource
from hub.harvest import apply
from hub.harvest.paths import NullPathRouter
from hub.harvest.validate import validate_harvested
from hub.services.changes import lock_feed

TABLE = Resource.__table__
_LOOKUP = 500  # external ids per IN (...) list
_UNSET = object()


class HarvestBatch:
    """`load(ids)`, then `upsert`/`tombstone` per item in source order, then `write()`."""

    def __init__(self, uow, *, source_id: int, org_id: int, publish: bool, paths=None):
        self.uow = uow
        # Provenance: which items another path brought first (hub.harvest.paths); none: all own.
        self.paths = paths if paths is not None else NullPathRouter()
        self.source_id, self.org_id, self.publish = source_id, org_id, publish
        self.rows: dict[str, dict] = {}  # external id -> the record's current state
        self.new: dict[str, None] = {}  # external ids to INSERT, in order
        self.dirty: dict[str, None] = {}  # existing external ids to UPDATE
        self.changes: list[tuple[str, str]] = []  # (resource id, op) in the order applied
        self._region = _UNSET

    def load(self, external_ids, records=None) -> None:
        """The batch's existing records, in one query per 500 ids; with `records` (external id ->
        record of the upserts), the paths and hosts of those this source does not own."""
        wanted = [e for e in dict.fromkeys(external_ids) if e not in self.rows]
        columns = [TABLE.c.id, TABLE.c.external_id] + [TABLE.c[n] for n in apply.STATE_COLUMNS]
        for start in range(0, len(wanted), _LOOKUP):
            query = select(*columns).where(
                TABLE.c.source_id == self.source_id,
                TABLE.c.external_id.in_(wanted[start : start + _LOOKUP]),
            )
            for row in self.uow.session.execute(query).mappings():
                self.rows[row["external_id"]] = dict(row)
        self.paths.load(set(self.rows), wanted, records or {})

    def upsert(self, external_id: str, record: dict) -> str:
        """created, updated or unchanged; raises ValidationFailed before changing anything."""
        fields = validate_harvested(record)
        record = self.paths.stamp(external_id, record)
        row = self.rows.get(external_id)
        host = self.paths.route(external_id, record) if row is None else None
        if host is not None:  # another path brought this record first: one more path of it
            return self.paths.attach(host, external_id, record)
        new = row is None
        base = apply.blank_state(self._org_region()) if new else row
        applied = apply.upsert(base, fields, record, new=new, publish=self.publish, now=utcnow())
        if new:
            row = self.rows[external_id] = self._new_row(external_id, base)
            self.paths.claim(record, row["id"])
        self._persist(external_id, row, applied)
        return applied.outcome

    def tombstone(self, external_id: str) -> str:
        row = self.rows.get(external_id)
        if row is None:
            return self.paths.detach(external_id)
        if row["status"] != "withdrawn" and self.paths.promote(row["id"], row["provenance"]):
            del self.rows[external_id]  # another path still has it: that one is its first now
            self.dirty.pop(external_id, None)
            self.uow.index_later(row["id"])
            return "deleted"
        applied = apply.tombstone(row, now=utcnow())
        self._persist(external_id, row, applied)
        return applied.outcome

    def write(self) -> None:
        """Everything applied so far, into the caller's transaction."""
        session = self.uow.session
        self._write_rows(session)
        self.paths.write()

    def _write_rows(self, session) -> None:
        if self.new:
            session.execute(insert(TABLE), [self.rows[e] for e in self.new])
        if self.dirty:
            # executemany: the SET clause is every key of the parameter sets but `_id`.
            session.execute(
                update(TABLE).where(TABLE.c.id == bindparam("_id")),
                [self._update_params(self.rows[e]) for e in self.dirty],
            )
        if self.changes:
            lock_feed(session.connection())  # Core skips the ORM hook that takes it
            now = utcnow()
            session.execute(
                insert(Change.__table__),
                [{"resource_id": rid, "op": op, "at": now} for rid, op in self.changes],
            )
        self.new, self.dirty, self.changes = {}, {}, []

    def _persist(self, external_id: str, row: dict, applied: apply.Applied) -> None:
        if not applied.values:
            return
        row.update(applied.values)
        if external_id not in self.new:
            self.dirty[external_id] = None
        self.uow.index_later(row["id"])
        if applied.change:
            self.changes.append((row["id"], applied.change))

    @staticmethod
    def _update_params(row: dict) -> dict:
        # Every changed row writes every state column, so one statement serves them all.
        return {**{n: row[n] for n in apply.STATE_COLUMNS}, "_id": row["id"]}

    def _new_row(self, external_id: str, state: dict) -> dict:
        """Every column (Core INSERTs need them all): the defaults, the state, its identity."""
        resource_id, now = new_id(), utcnow()
        self.new[external_id] = None
        return {
            **apply.ROW_DEFAULTS,
            **state,
            "id": resource_id,
            "lineage_id": resource_id,
            "org_id": self.org_id,
            "source_id": self.source_id,
            "external_id": external_id,
            "created": now,
            "updated": now,
        }

    def _org_region(self):
        if self._region is _UNSET:
            self._region = self.uow.session.scalar(
                select(Organisation.region).where(Organisation.id == self.org_id)
            )
        return self._region
