"""The federation changes feed: published and withdrawn records in commit order, by sequence.

Anonymous readers (and tokens not bound to an organisation) get public records only; a harvest
token bound to an organisation subtree gets every record that subtree's members may read
(`hub.services.harvest_tokens`), by the one visibility rule.

Why a reader never skips a row: on PostgreSQL a sequence hands out numbers at insert time but the
transactions commit in any order, so seq 11 could be visible before seq 10. Every transaction that
adds a change row first takes one transaction-level advisory lock (held until it commits or rolls
back), so change rows are numbered and committed strictly one transaction after another: when a
reader sees seq N, every smaller seq is already committed or gone for good. SQLite has one writer at
a time and gets the same order for free. The cost is that publishing transactions serialise from
their first change row to their commit, which is short (the change row is written last, at flush).
"""

from __future__ import annotations

from sqlalchemy import event, select, text

from hub.db.models import Change, Resource
from hub.errors import InvalidInput
from hub.security import visibility
from hub.security.principal import ANONYMOUS, Principal
from hub.services import records
from hub.services.permissions import org_path

FEED_LOCK_KEY = (
    0x6564756875620001  # arbitrary 63-bit constant ("eduhub" + 1) naming the feed's lock
)
MAX_LIMIT = 1000
FEED_STATUSES = ("published", "withdrawn")


@event.listens_for(Change, "before_insert")
def _serialise_feed_writers(mapper, connection, target) -> None:
    lock_feed(connection)


def lock_feed(connection) -> None:
    """Take the feed's writer lock for this transaction. The ORM hook above does it for Change
    objects; code inserting change rows with Core statements (bulk import, harvest batches) must
    call it before the insert."""
    if connection.dialect.name != "postgresql":
        return
    # Once per (sub)transaction, not once per row: a sync batch writes hundreds of change rows. A
    # savepoint counts as its own, because rolling it back releases a lock taken inside it.
    transaction = connection.get_nested_transaction() or connection.get_transaction()
    if connection.info.get("feed_lock_held_by") is transaction:
        return
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK_KEY})
    connection.info["feed_lock_held_by"] = transaction


def parse_cursor(since: str | None) -> int:
    if since in (None, ""):
        return 0
    if not str(since).isdigit():
        raise InvalidInput(
            "since 参数应是上一页返回的 next 值。"
            "The since parameter must be the 'next' value of the previous page."
        )
    return int(since)


class ChangeService:
    def __init__(self, uow, resources):
        self.uow, self.resources = uow, resources

    def feed(
        self, since: str | None = None, limit: int = 100, actor: Principal = ANONYMOUS
    ) -> dict:
        """One page of the feed as `actor` reads it. `next` is the last seq looked at, so skipped
        private rows are not reread."""
        after = parse_cursor(since)
        limit = max(1, min(int(limit or 100), MAX_LIMIT))
        with self.uow() as uow:
            rows = uow.session.execute(
                select(Change.seq, Change.op, Change.resource_id)
                .where(Change.seq > after)
                .order_by(Change.seq)
                .limit(limit)
            ).all()
            resources = self._resources(uow.session, {r.resource_id for r in rows})
            changes = [
                self._entry(uow.session, row, resources.get(row.resource_id), actor) for row in rows
            ]
        return {
            "changes": [c for c in changes if c is not None],
            "next": str(rows[-1].seq if rows else after),
        }

    @staticmethod
    def _resources(session, ids: set[str]) -> dict[str, Resource]:
        if not ids:
            return {}
        found = session.scalars(select(Resource).where(Resource.id.in_(ids))).all()
        return {r.id: r for r in found}

    def _entry(self, session, row, resource: Resource | None, actor: Principal) -> dict | None:
        if (
            resource is None
            or resource.status not in FEED_STATUSES
            or not harvestable(actor, resource)
        ):
            return None

        if resource.status == "withdrawn" or not resource.is_latest:
            # The current state wins: an "upsert" row of a since-withdrawn record reads as its
            # deletion, and so does a version superseded by a newer one (a follower keeps one live
            # record per lineage).
            tombstone = records.tombstone(resource)
            if resource.status != "withdrawn":
                tombstone.update(status=resource.status, is_latest=False)
            return {"seq": row.seq, "op": "delete", "resource": tombstone}
        return {
            "seq": row.seq,
            "op": "upsert",
            "resource": self.resources.serialize(resource, session),
        }


def harvestable(actor: Principal, resource: Resource) -> bool:
    """Public records for everyone; for a bound harvest token, what its subtree may read."""
    if actor.harvest_path is None:
        return resource.visibility == "public"
    return visibility.may_see(actor, resource.visibility, resource.region, org_path(resource))
