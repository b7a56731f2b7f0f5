"""Consuming a connector's items: batches applied idempotently, the cursor saved as it goes.

Each batch is one transaction, written page-at-a-time by `HarvestBatch` unless a record has files
to attach (then `OrmWriter`). A batch the database refuses is redone one savepoint per record, so
one bad record never stops the run; a SIGKILL loses at most the batch in flight.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from connectors.base import Delete, Failed, Upsert
from hub.db.base import utcnow
from hub.db.models import Resource, ResourcePath
from hub.db.models.sources import Source, SyncRun
from hub.errors import ValidationFailed
from hub.harvest import claims, orm, runs
from hub.harvest.batch import HarvestBatch
from hub.harvest.paths import PathRouter
from hub.harvest.runs import RecordFailed, RunState
from hub.harvest.validate import validate_harvested
from hub.security.principal import SYSTEM

log = logging.getLogger(__name__)

BATCH = 500  # items per transaction: the cursor moves once per batch


class OrmWriter:
    """`HarvestBatch`'s interface over the ORM writer, which can also attach a record's files."""

    def __init__(self, uow, state: RunState, fetcher):
        self.uow, self.state, self.fetcher = uow, state, fetcher
        self.paths = router_for(uow, state)

    def load(self, external_ids, records=None) -> None:
        orm.preload(self.uow, self.state.source_id, external_ids)

    def upsert(self, external_id: str, record: dict, files=None) -> str:
        record = self.paths.stamp(external_id, record)
        if orm.find(self.uow, self.state.source_id, external_id) is None:
            self.paths.load(
                set(), [external_id], {external_id: record}
            )  # retries come without a batch load
            host = self.paths.route(external_id, record)
            if host is not None:  # another path brought it first: its files are that path's
                validate_harvested(record)
                return self.paths.attach(host, external_id, record)
        resource, outcome = orm.upsert(
            self.uow,
            source_id=self.state.source_id,
            org_id=self.state.org_id,
            external_id=external_id,
            record=record,
            publish=self.state.publish,
        )
        self.paths.claim(record, resource.id)
        if files and self.fetcher.store(self.uow, resource, files) and outcome == "unchanged":
            outcome = "updated"
        return outcome

    def tombstone(self, external_id: str) -> str:
        source_id = self.state.source_id
        resource = orm.find(self.uow, source_id, external_id)
        if resource is None:
            self.paths.load(set(), [external_id], {})
            return self.paths.detach(external_id)
        if resource.status != "withdrawn" and self.paths.promote(resource.id, resource.provenance):
            self.uow.session.expire(resource)  # its first path is another source's now
            orm.forget(self.uow, source_id, external_id)
            self.uow.index_later(resource.id)
            return "deleted"
        return orm.tombstone(self.uow, source_id=source_id, external_id=external_id)

    def forget(self, external_id: str) -> None:
        orm.forget(self.uow, self.state.source_id, external_id)

    def write(self) -> None:
        """Only the paths: the unit of work flushes ORM objects at commit."""
        self.paths.write()


# The provenance router the writers use; the harvest bench swaps in NullPathRouter to measure it.
ROUTER = PathRouter


def router_for(uow, state: RunState) -> PathRouter:
    return ROUTER(uow.session, source_id=state.source_id, kind=state.kind, url=state.url)


def apply_item(writer, item, files) -> str:
    """One item through a writer; RecordFailed for what the source or a download failed."""
    if isinstance(item, Failed):
        raise RecordFailed(item.reason, item.payload)
    if files and any(f.error for f in files):
        reason = "; ".join(f"{f.remote.name}: {f.error}" for f in files if f.error)
        raise RecordFailed(reason, runs.payload_of(item))
    if isinstance(item, Delete):
        return writer.tombstone(item.external_id)
    if files:
        return writer.upsert(item.external_id, item.record, files)
    return writer.upsert(item.external_id, item.record)


class SyncRunner:
    """One run's batches, written through `uow` (a unit-of-work factory) by the run's fetcher."""

    def __init__(self, uow, state: RunState, fetcher):
        self.uow, self.state, self.fetcher = uow, state, fetcher

    def consume(self, items) -> None:
        batch: list = []
        try:
            for item in items:
                batch.append(item)
                if len(batch) >= BATCH:
                    self.apply_batch(batch)
                    batch = []
        finally:
            if batch:  # items yielded before a connector error are good: keep them
                self.apply_batch(batch)

    def apply_batch(self, batch: list) -> None:
        state = self.state
        batch = [claims.checked(item, state.region) for item in batch]
        prepared = {
            id(item): self.fetcher.prepare(item) for item in batch if isinstance(item, Upsert)
        }
        try:
            resolved = self._write(batch, prepared, isolate=False)
        except Exception as exc:  # the database refused: redo the batch one savepoint per record
            log.info("sync run %s: batch write failed (%s); one by one", state.run_id, exc)
            resolved = self._write(batch, prepared, isolate=True)
        state.failing.difference_update(resolved)
        if state.seen is not None:
            state.seen.update(item.external_id for item in batch)
        self.fetcher.discard(prepared.values())

    def _write(self, batch: list, prepared: dict, *, isolate: bool) -> set[str]:
        """Apply a batch in one transaction; returns the external ids whose failures it resolved.

        Without `isolate`, a record refused before any write (invalid, failed at the source) is
        recorded as a failure and the rest go on; any other error aborts the whole batch."""
        with self.uow(SYSTEM) as uow:
            run = uow.session.get(SyncRun, self.state.run_id)
            if isolate:  # a write before the first savepoint: pysqlite nests them only in a begun
                run.heartbeat = utcnow()  # transaction
                uow.session.flush()
            # Otherwise nothing is written before the page's writes: on SQLite the write lock is
            # held for those alone, and a worker indexing the pages before takes it in between.
            writer = self._writer(uow, isolate or any(prepared.values()))
            upserts = {i.external_id: i.record for i in batch if isinstance(i, Upsert)}
            writer.load([i.external_id for i in batch if not isinstance(i, Failed)], upserts)
            apply = self._isolated if isolate else self._together
            outcomes = [(item, apply(uow, writer, item, prepared.get(id(item)))) for item in batch]
            writer.write()
            resolved = self._resolved(uow, outcomes)
            runs.count(run, _tally(outcome for _item, outcome in outcomes))
            self._move_cursor(uow, run, batch)
            uow.commit()
        return resolved

    def _resolved(self, uow, outcomes: list) -> set[str]:
        """Mark resolved the old failures of records this batch applied."""
        failing = self.state.failing
        resolved = {i.external_id for i, outcome in outcomes if outcome != "failed"} & failing
        if resolved:
            runs.resolve_failures(uow, self.state.source_id, resolved)
        return resolved

    def _writer(self, uow, orm_objects: bool):
        if orm_objects:  # files to attach, or a batch being redone record by record
            return OrmWriter(uow, self.state, self.fetcher)
        state = self.state
        return HarvestBatch(
            uow,
            source_id=state.source_id,
            org_id=state.org_id,
            publish=state.publish,
            paths=router_for(uow, state),
        )

    def _together(self, uow, writer, item, files) -> str:
        try:
            return apply_item(writer, item, files)
        except (RecordFailed, ValidationFailed) as exc:
            if files and not isinstance(exc, RecordFailed):
                raise  # storing a file may have written something already: redo isolated
            runs.record_failure(uow, self.state, item, exc)  # refused before any write
            return "failed"

    def _isolated(self, uow, writer, item, files) -> str:
        try:
            with uow.session.begin_nested():
                return apply_item(writer, item, files)
        except Exception as exc:  # one bad record never stops the run
            writer.forget(item.external_id)
            runs.record_failure(uow, self.state, item, exc)
            return "failed"

    def _move_cursor(self, uow, run: SyncRun, batch: list) -> None:
        cursor = next((i.cursor_after for i in reversed(batch) if i.cursor_after), None)
        if cursor is None:
            return
        run.cursor_end = cursor
        uow.session.execute(
            update(Source).where(Source.id == self.state.source_id).values(cursor=cursor)
        )

    def withdraw_unseen(self) -> None:
        """After a full listing without failures, tombstone what the source no longer has."""
        state = self.state
        with self.uow(SYSTEM) as uow:
            if uow.session.get(SyncRun, state.run_id).failed_count:
                return  # a record we could not read may still be there: withdraw nothing
            present = uow.session.scalars(
                select(Resource.external_id).where(
                    Resource.source_id == state.source_id, Resource.status != "withdrawn"
                )
            ).all()
            # The records this source brings by a further path (hub.harvest.paths) too.
            present += uow.session.scalars(
                select(ResourcePath.external_id).where(ResourcePath.source_id == state.source_id)
            ).all()
        unseen = [external_id for external_id in present if external_id not in state.seen]
        for start in range(0, len(unseen), BATCH):
            self._withdraw(unseen[start : start + BATCH])

    def _withdraw(self, chunk: list[str]) -> None:
        with self.uow(SYSTEM) as uow:
            writer = self._writer(uow, False)
            writer.load(chunk)
            deleted = sum(writer.tombstone(e) == "deleted" for e in chunk)
            writer.write()
            runs.count(uow.session.get(SyncRun, self.state.run_id), {"deleted": deleted})
            uow.commit()


def _tally(outcomes) -> dict:
    deltas = dict.fromkeys(("created", "updated", "deleted", "unchanged", "failed"), 0)
    for outcome in outcomes:
        deltas[outcome] += 1
    return deltas
