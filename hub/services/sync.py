"""Sync runs: one at a time per source, items applied idempotently in batches, the cursor saved as it goes."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from connectors import connector_for, policy_for
from connectors.base import ConnectorError, Delete, Failed, HttpClient, Upsert
from connectors.outbound import RunBudget
from hub.db.base import utcnow
from hub.db.models import Resource
from hub.db.models.sources import ACTIVE_STATUSES, Source, SyncFailure, SyncRun
from hub.errors import Conflict, NotFound, ValidationFailed
from hub.security.principal import SYSTEM, Principal
from hub.services.harvest_batch import HarvestBatch
from hub.services.harvested import forget_harvested
from hub.services.sources import load as load_source
from hub.services.sources import require_admin
from hub.services.sync_files import FileFetcher
from hub.tasks.topics import Topic

log = logging.getLogger(__name__)

BATCH = 500  # items per transaction: the cursor moves once per batch
MAX_ERRORS = 100  # run.errors keeps the first ones; failures keep every record
STALE_AFTER = timedelta(minutes=10)  # no heartbeat for this long: the worker is gone
RUN_SECONDS = 12 * 3600  # a whole run's deadline unless the source's options say otherwise
RUN_MB = 256 * 1024  # a whole run's downloads (files included)


def run_to_dict(run: SyncRun) -> dict:
    counts = run.counts()
    return {
        "id": run.id,
        "run_id": run.id,
        "source_id": run.source_id,
        "source": run.source.name if run.source is not None else None,
        "status": run.status,
        "full": run.full,
        "counts": counts,
        "processed": sum(counts.values()),
        "errors": list(run.errors or []),
        "created": run.created,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "heartbeat": run.heartbeat,
        "cursor": run.cursor_end,
    }


def failure_to_dict(failure: SyncFailure) -> dict:
    return {
        "id": failure.id,
        "run_id": failure.run_id,
        "external_id": failure.external_id,
        "reason": failure.reason,
        "payload": failure.payload,
        "attempts": failure.attempts,
        "created": failure.created,
        "resolved_at": failure.resolved_at,
    }


@dataclass
class RunState:
    """What a running sync needs of its source, read once so batches don't reload it."""

    run_id: int
    source_id: int
    org_id: int
    publish: bool
    cursor: str | None
    full: bool
    fetch_files: bool = False
    max_bytes: int = 512 * 1024 * 1024
    failing: set[str] = field(default_factory=set)  # external ids with unresolved failures
    seen: set[str] | None = (
        None  # on a full run: every external id the listing named, to withdraw the rest
    )


class SyncService:
    def __init__(self, hub):
        self.hub = hub

    # -- starting and reading runs -------------------------------------------------------------
    def start(self, actor: Principal, source_id: int, *, full: bool = False) -> dict:
        """Queue a run (the worker picks it up from the outbox); 409 while another is queued or running."""
        require_admin(actor)
        with self.hub.uow(actor) as uow:
            source = load_source(uow.session, source_id)
            self._release_abandoned(uow.session, source.id)
            run = SyncRun(
                source_id=source.id,
                active_source_id=source.id,
                status="queued",
                full=full,
                cursor_start=None if full else source.cursor,
                errors=[],
            )
            uow.session.add(run)
            try:
                uow.session.flush()
            except IntegrityError:
                uow.session.rollback()
                raise self._busy(source.name)
            uow.audit("source.sync", "source", source.id, run_id=run.id, full=full)
            uow.outbox(Topic.SOURCE_SYNC, run_id=run.id, source_id=source.id)
            run.source = source
            result = run_to_dict(run)
            uow.commit()
        return result

    def get_run(self, actor: Principal, run_id: int) -> dict:
        require_admin(actor)
        with self.hub.uow(actor) as uow:
            return run_to_dict(self._load_run(uow.session, run_id))

    def list_runs(self, actor: Principal, source_id: int, *, limit: int = 50) -> list[dict]:
        require_admin(actor)
        with self.hub.uow(actor) as uow:
            runs = uow.session.scalars(
                select(SyncRun)
                .where(SyncRun.source_id == source_id)
                .order_by(SyncRun.id.desc())
                .limit(limit)
            ).all()
            return [run_to_dict(r) for r in runs]

    def failures(
        self, actor: Principal, run_id: int, *, unresolved_only: bool = False
    ) -> list[dict]:
        require_admin(actor)
        with self.hub.uow(actor) as uow:
            query = select(SyncFailure).where(SyncFailure.run_id == run_id)
            if unresolved_only:
                query = query.where(SyncFailure.resolved_at.is_(None))
            return [
                failure_to_dict(f)
                for f in uow.session.scalars(query.order_by(SyncFailure.id)).all()
            ]

    # -- running ---------------------------------------------------------------------------------
    def run(self, run_id: int, *, connector=None) -> dict:
        """Carry out a queued run (or resume one whose worker died); returns the finished run."""
        state = self._claim(run_id)
        if state is None:
            return self.get_run(SYSTEM, run_id)
        fetcher = FileFetcher(self.hub)
        fetcher.configure(state.fetch_files, state.max_bytes, state.source_id)
        try:
            connector = connector or self._connector(state.source_id)
            fetcher.http = connector.http
            self._consume(state, connector.harvest(state.cursor, full=state.full), fetcher)
            if state.full:
                self._withdraw_unseen(state)
        except Exception as exc:  # the connector gave up: keep what was committed, say why
            log.warning("sync run %s failed: %s", run_id, exc, exc_info=not _expected(exc))
            self._finish(run_id, error=_describe(exc))
        else:
            self._finish(run_id)
        finally:
            fetcher.close()
        return self.get_run(SYSTEM, run_id)

    def _consume(self, state: RunState, items, fetcher) -> None:
        batch: list = []
        try:
            for item in items:
                batch.append(item)
                if len(batch) >= BATCH:
                    self._apply_batch(state, batch, fetcher)
                    batch = []
        finally:
            if batch:  # items yielded before a connector error are good: keep them
                self._apply_batch(state, batch, fetcher)

    def _apply_batch(self, state: RunState, batch: list, fetcher) -> None:
        prepared = {id(item): fetcher.prepare(item) for item in batch if isinstance(item, Upsert)}
        try:
            resolved = self._write_batch(state, batch, prepared, fetcher, isolate=False)
        except (
            Exception
        ) as exc:  # a write failed at the database: redo the batch one savepoint per record
            log.info(
                "sync run %s: batch write failed (%s); applying its records one by one",
                state.run_id,
                exc,
            )
            resolved = self._write_batch(state, batch, prepared, fetcher, isolate=True)
        state.failing.difference_update(resolved)
        if state.seen is not None:
            state.seen.update(item.external_id for item in batch)
        fetcher.discard(prepared.values())

    def _write_batch(
        self, state: RunState, batch: list, prepared: dict, fetcher, *, isolate: bool
    ) -> set[str]:
        """Apply a batch in one transaction; returns the external ids whose old failures it resolved.
        Without `isolate`, a record refused before any write (invalid, failed at the source) is recorded as a
        failure and the rest go on; any other error aborts the whole batch, which is then redone isolated."""
        deltas = dict.fromkeys(("created", "updated", "deleted", "unchanged", "failed"), 0)
        resolved: set[str] = set()
        cursor = None
        with self.hub.uow(SYSTEM) as uow:
            run = uow.session.get(SyncRun, state.run_id)
            # A write before the first savepoint: pysqlite only nests savepoints inside a begun transaction.
            run.heartbeat = utcnow()
            if isolate:
                uow.session.flush()
            external_ids = [i.external_id for i in batch if not isinstance(i, Failed)]
            # Page-at-a-time with Core unless a record has files to attach or the batch is being redone isolated.
            writer = None if isolate or any(prepared.values()) else self._batch_writer(uow, state)
            if writer is not None:
                writer.load(external_ids)
            else:
                self.hub.resources.preload_harvested(uow, state.source_id, external_ids)
            for item in batch:
                outcome = self._apply_one(
                    uow, state, item, prepared.get(id(item)), fetcher, isolate, writer
                )
                deltas[outcome] += 1
                if outcome != "failed" and item.external_id in state.failing:
                    resolved.add(item.external_id)
                cursor = item.cursor_after or cursor
            if writer is not None:
                writer.write()
            if resolved:
                self._resolve_failures(uow, state.source_id, resolved)
            self._count(uow, run, deltas)
            if cursor is not None:
                run.cursor_end = cursor
                uow.session.execute(
                    update(Source).where(Source.id == state.source_id).values(cursor=cursor)
                )
            uow.commit()
        return resolved

    def _batch_writer(self, uow, state: RunState) -> HarvestBatch:
        return HarvestBatch(
            self.hub.resources,
            uow,
            source_id=state.source_id,
            org_id=state.org_id,
            publish=state.publish,
        )

    def _apply_one(
        self, uow, state: RunState, item, files, fetcher, isolate: bool, writer=None
    ) -> str:
        if not isolate:
            try:
                return self._apply_item(uow, state, item, files, fetcher, writer)
            except (RecordFailed, ValidationFailed) as exc:
                if files and not isinstance(exc, RecordFailed):
                    raise  # storing a file may have written something already: redo the batch isolated
                self._record_failure(uow, state, item, exc)  # refused before anything was written
                return "failed"
        try:
            with uow.session.begin_nested():
                return self._apply_item(uow, state, item, files, fetcher)
        except Exception as exc:  # one bad record never stops the run
            forget_harvested(uow, state.source_id, item.external_id)
            self._record_failure(uow, state, item, exc)
            return "failed"

    def _apply_item(self, uow, state: RunState, item, files, fetcher, writer=None) -> str:
        if isinstance(item, Failed):
            raise RecordFailed(item.reason, item.payload)
        if files and any(f.error for f in files):
            raise RecordFailed(
                "; ".join(f"{f.remote.name}: {f.error}" for f in files if f.error),
                _payload_of(item),
            )
        if writer is not None:  # a batch without files
            if isinstance(item, Delete):
                return writer.tombstone(item.external_id)
            return writer.upsert(item.external_id, item.record)
        resources = self.hub.resources
        if isinstance(item, Delete):
            return resources.tombstone_harvested(
                uow, source_id=state.source_id, external_id=item.external_id
            )
        resource, outcome = resources.upsert_harvested(
            uow,
            source_id=state.source_id,
            org_id=state.org_id,
            external_id=item.external_id,
            record=item.record,
            publish=state.publish,
        )
        if files and fetcher.store(uow, resource, files) and outcome == "unchanged":
            outcome = "updated"
        return outcome

    def _withdraw_unseen(self, state: RunState) -> None:
        """After a complete full listing without failures, tombstone what the source no longer has."""
        with self.hub.uow(SYSTEM) as uow:
            if uow.session.get(SyncRun, state.run_id).failed_count:
                return  # a record we could not read may still be there: withdraw nothing on a partial run
            present = uow.session.scalars(
                select(Resource.external_id).where(
                    Resource.source_id == state.source_id, Resource.status != "withdrawn"
                )
            ).all()
        unseen = [external_id for external_id in present if external_id not in state.seen]
        for start in range(0, len(unseen), BATCH):
            chunk = unseen[start : start + BATCH]
            with self.hub.uow(SYSTEM) as uow:
                writer = self._batch_writer(uow, state)
                writer.load(chunk)
                deleted = sum(writer.tombstone(e) == "deleted" for e in chunk)
                writer.write()
                self._count(uow, uow.session.get(SyncRun, state.run_id), {"deleted": deleted})
                uow.commit()

    @staticmethod
    def _count(uow, run: SyncRun, deltas: dict) -> None:
        for name, value in deltas.items():
            setattr(run, f"{name}_count", (getattr(run, f"{name}_count") or 0) + value)
        run.heartbeat = utcnow()

    def _record_failure(self, uow, state: RunState, item, exc: Exception) -> None:
        payload = exc.payload if isinstance(exc, RecordFailed) else _payload_of(item)
        uow.session.add(
            SyncFailure(
                run_id=state.run_id,
                source_id=state.source_id,
                external_id=str(item.external_id)[:500],
                reason=_describe(exc)[:4000],
                payload=payload,
            )
        )

    # -- retrying failed records ----------------------------------------------------------------
    def retry_failure(
        self, actor: Principal, run_id: int, failure_id: int, *, connector=None
    ) -> dict:
        """Fetch and apply one failed record again; it is resolved, or keeps its new reason."""
        require_admin(actor)
        with self.hub.uow(actor) as uow:
            failure = uow.session.get(SyncFailure, failure_id)
            if failure is None or failure.run_id != run_id:
                raise NotFound(
                    f"同步 {run_id} 没有编号为 {failure_id} 的失败记录。"
                    f"Sync run {run_id} has no failure {failure_id}."
                )
            source_id = failure.source_id
        return self._retry(failure_id, connector or self._connector(source_id))

    def retry_failures(self, actor: Principal, run_id: int, *, connector=None) -> dict:
        """Retry every unresolved failure of a run."""
        pending = self.failures(actor, run_id, unresolved_only=True)
        if not pending:
            return {"retried": 0, "resolved": 0, "failures": []}
        with self.hub.uow(actor) as uow:
            connector = connector or self._connector(self._load_run(uow.session, run_id).source_id)
        results = [self._retry(f["id"], connector) for f in pending]
        return {
            "retried": len(results),
            "resolved": sum(1 for r in results if r["resolved_at"]),
            "failures": results,
        }

    def _retry(self, failure_id: int, connector) -> dict:
        with self.hub.uow(SYSTEM) as uow:
            failure = uow.session.get(SyncFailure, failure_id)
            source = uow.session.get(Source, failure.source_id)
            state = RunState(
                run_id=failure.run_id,
                source_id=source.id,
                org_id=source.org_id,
                publish=not source.review,
                cursor=None,
                full=False,
                fetch_files=source.fetch_files,
                max_bytes=source.max_file_mb * 1024 * 1024,
            )
            external_id, payload = failure.external_id, failure.payload
        fetcher = FileFetcher(self.hub, connector.http)
        fetcher.configure(state.fetch_files, state.max_bytes, state.source_id)
        try:
            try:
                item = connector.retry(external_id, payload)
            except Exception as exc:
                item = Failed(external_id, _describe(exc), payload)
            files = fetcher.prepare(item) if isinstance(item, Upsert) else None
            with self.hub.uow(SYSTEM) as uow:
                uow.session.execute(
                    update(SyncFailure)
                    .where(SyncFailure.id == failure_id)
                    .values(attempts=SyncFailure.attempts + 1)
                )
                uow.session.flush()
                try:
                    with uow.session.begin_nested():
                        if isinstance(item, Failed):
                            raise RecordFailed(item.reason, item.payload)
                        self._apply_item(uow, state, item, files, fetcher)
                except Exception as exc:
                    uow.session.execute(
                        update(SyncFailure)
                        .where(SyncFailure.id == failure_id)
                        .values(reason=_describe(exc)[:4000])
                    )
                else:
                    self._resolve_failures(uow, state.source_id, external_id)
                uow.commit()
                return failure_to_dict(
                    uow.session.get(SyncFailure, failure_id, populate_existing=True)
                )
        finally:
            fetcher.close()

    # -- claiming and finishing -------------------------------------------------------------------
    def _claim(self, run_id: int) -> RunState | None:
        with self.hub.uow(SYSTEM) as uow:
            query = select(SyncRun).where(SyncRun.id == run_id).options(lazyload(SyncRun.source))
            if not self.hub.db.is_sqlite:
                query = query.with_for_update()  # two deliveries of one task never both run it
            run = uow.session.scalar(query)
            if run is None or run.status not in ACTIVE_STATUSES:
                return None  # finished, released as abandoned, or deleted: a late or repeated task
            source = uow.session.get(Source, run.source_id)
            resumed = run.status == "running"
            run.status, run.worker, run.heartbeat = "running", worker_id(), utcnow()
            run.started_at = run.started_at or utcnow()
            failing = set(
                uow.session.scalars(
                    select(SyncFailure.external_id).where(
                        SyncFailure.source_id == source.id, SyncFailure.resolved_at.is_(None)
                    )
                ).all()
            )
            state = RunState(
                run_id=run.id,
                source_id=source.id,
                org_id=source.org_id,
                publish=not source.review,
                cursor=None if run.full and not resumed else source.cursor,
                full=run.full and not resumed,
                failing=failing,
                fetch_files=source.fetch_files,
                max_bytes=source.max_file_mb * 1024 * 1024,
                seen=set() if run.full and not resumed else None,
            )
            uow.commit()
        return state

    def _finish(self, run_id: int, *, error: str | None = None) -> None:
        with self.hub.uow(SYSTEM) as uow:
            run = uow.session.get(SyncRun, run_id)
            if error:
                run.errors = _with_error(run.errors, error)
                run.status = "failed"
            else:
                run.status = "partial" if run.failed_count else "succeeded"
            run.finished_at = utcnow()
            run.active_source_id = None
            uow.audit(
                "source.sync.finish",
                "source",
                run.source_id,
                run_id=run.id,
                status=run.status,
                counts=run.counts(),
            )
            uow.commit()

    def _release_abandoned(self, session, source_id: int) -> None:
        """A run whose worker died (SIGKILL, power cut) must not block the source forever."""
        active = session.scalar(select(SyncRun).where(SyncRun.active_source_id == source_id))
        if active is None or not is_abandoned(active):
            return
        active.status, active.finished_at, active.active_source_id = "failed", utcnow(), None
        active.errors = _with_error(
            active.errors,
            "工作进程已停止，本次同步中断；新的同步会从保存的位置继续。"
            "The worker stopped during this run; a new sync resumes from the saved cursor.",
        )
        session.flush()

    def _connector(self, source_id: int):
        with self.hub.uow(SYSTEM) as uow:
            config = uow.session.get(Source, source_id).to_config()
        return connector_for(config, http_for(config))

    @staticmethod
    def _load_run(session, run_id: int) -> SyncRun:
        run = session.get(SyncRun, run_id)
        if run is None:
            raise NotFound(f"没有编号为 {run_id} 的同步记录。No sync run has the id {run_id}.")
        return run

    @staticmethod
    def _busy(name: str) -> Conflict:
        return Conflict(
            f"数据源 '{name}' 正在同步，请等它结束后再试（GET /api/v1/sources 查看进度）。"
            f"Source '{name}' is already syncing; wait for that run to finish "
            f"(see its progress with GET /api/v1/sources)."
        )

    @staticmethod
    def _resolve_failures(uow, source_id: int, external_ids) -> None:
        external_ids = [external_ids] if isinstance(external_ids, str) else list(external_ids)
        uow.session.execute(
            update(SyncFailure)
            .where(
                SyncFailure.source_id == source_id,
                SyncFailure.external_id.in_(external_ids),
                SyncFailure.resolved_at.is_(None),
            )
            .values(resolved_at=utcnow())
        )


class RecordFailed(Exception):
    """A record the connector already reported as failed."""

    def __init__(self, reason: str, payload):
        super().__init__(reason)
        self.payload = payload


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def is_abandoned(run: SyncRun, now=None) -> bool:
    """True when the run's worker is a dead process on this host, or has been silent too long."""
    if run.worker:
        host, _, pid = run.worker.rpartition(":")
        if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
            return True
    last = run.heartbeat or run.created
    return last is not None and (now or utcnow()) - last > STALE_AFTER


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _with_error(errors, message: str) -> list:
    errors = list(errors or [])
    if len(errors) < MAX_ERRORS:
        errors.append({"at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "message": message})
    return errors


def _describe(exc: Exception) -> str:
    from hub.errors import HubError

    if isinstance(exc, HubError):
        details = "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in exc.errors)
        return exc.message + (f" ({details})" if details else "")
    return str(exc) or type(exc).__name__


def _expected(exc: Exception) -> bool:
    return isinstance(exc, ConnectorError)


def _payload_of(item):
    """What a failure keeps of an item: never the request headers (they carry credentials)."""
    if isinstance(item, Upsert):
        files = [
            {"name": f.name, "url": f.url, "size": f.size, "sha256": f.sha256} for f in item.files
        ]
        return {"record": item.record, "files": files}
    return {"external_id": item.external_id}


def http_for(config) -> HttpClient:
    """The HTTP client of one run: the source's outbound policy, timeouts, the run's budget."""
    options = config.options
    return HttpClient(
        timeout=float(options.get("timeout", 30)),
        retries=int(options.get("retries", 4)),
        backoff=float(options.get("backoff", 0.5)),
        response_seconds=float(options.get("response_seconds", 600)),
        file_seconds=float(options.get("file_seconds", 3 * 3600)),
        max_json_bytes=int(options.get("max_json_mb", 32)) * 1024 * 1024,
        policy=policy_for(config),
        budget=RunBudget(
            seconds=float(options.get("run_seconds", RUN_SECONDS)),
            max_bytes=int(options.get("max_run_mb", RUN_MB)) * 1024 * 1024,
        ),
    )
