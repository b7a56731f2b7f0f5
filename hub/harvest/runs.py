"""Sync run records: queue, claim, count, finish, release, and how they read as dicts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import lazyload

from connectors.base import Upsert
from hub.db.base import utcnow
from hub.db.models.sources import ACTIVE_STATUSES, Source, SyncFailure, SyncRun
from hub.errors import Conflict, HubError, NotFound
from hub.harvest.liveness import is_abandoned, worker_id

MAX_ERRORS = 100  # run.errors keeps the first ones; failures keep every record


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
    # On a full run: every external id the listing named, to withdraw the rest.
    seen: set[str] | None = None
    region: str | None = None  # the source's organisation's region: bounds non-public records
    kind: str | None = None  # the source's kind and address: a record's first origin by default
    url: str | None = None

    @classmethod
    def of(cls, run_id: int, source: Source, **more) -> RunState:
        return cls(
            run_id=run_id,
            source_id=source.id,
            org_id=source.org_id,
            publish=not source.review,
            fetch_files=source.fetch_files,
            max_bytes=source.max_file_mb * 1024 * 1024,
            region=source.org.region if source.org is not None else None,
            kind=source.kind,
            url=source.url,
            **{"cursor": None, "full": False, **more},
        )


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


def new_run(source: Source, *, full: bool) -> SyncRun:
    """A queued run; the unique `active_source_id` refuses a second one at flush."""
    return SyncRun(
        source_id=source.id,
        active_source_id=source.id,
        status="queued",
        full=full,
        cursor_start=None if full else source.cursor,
        errors=[],
    )


def claim(uow, run_id: int, *, lock: bool) -> RunState | None:
    """Mark a queued run (or one whose worker died) as ours; None if it is not ours to run."""
    query = select(SyncRun).where(SyncRun.id == run_id).options(lazyload(SyncRun.source))
    if lock:
        query = query.with_for_update()  # two deliveries of one task never both run it
    run = uow.session.scalar(query)
    if run is None or run.status not in ACTIVE_STATUSES:
        return None  # finished, released as abandoned, or deleted: a late or repeated task
    source = uow.session.get(Source, run.source_id)
    fresh_full = run.full and run.status != "running"
    run.status, run.worker, run.heartbeat = "running", worker_id(), utcnow()
    run.started_at = run.started_at or utcnow()
    return RunState.of(
        run.id,
        source,
        cursor=None if fresh_full else source.cursor,
        full=fresh_full,
        failing=unresolved(uow.session, source.id),
        seen=set() if fresh_full else None,
    )


def unresolved(session, source_id: int) -> set[str]:
    query = select(SyncFailure.external_id).where(
        SyncFailure.source_id == source_id, SyncFailure.resolved_at.is_(None)
    )
    return set(session.scalars(query).all())


def finish(uow, run_id: int, *, error: str | None = None) -> None:
    run = uow.session.get(SyncRun, run_id)
    if error:
        run.errors = with_error(run.errors, error)
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


def release_abandoned(session, source_id: int) -> None:
    """A run whose worker died (SIGKILL, power cut) must not block the source forever."""
    active = session.scalar(select(SyncRun).where(SyncRun.active_source_id == source_id))
    if active is None or not is_abandoned(active):
        return
    active.status, active.finished_at, active.active_source_id = "failed", utcnow(), None
    active.errors = with_error(
        active.errors,
        "工作进程已停止，本次同步中断；新的同步会从保存的位置继续。"
        "The worker stopped during this run; a new sync resumes from the saved cursor.",
    )
    session.flush()


def count(run: SyncRun, deltas: dict) -> None:
    for name, value in deltas.items():
        setattr(run, f"{name}_count", (getattr(run, f"{name}_count") or 0) + value)
    run.heartbeat = utcnow()


def record_failure(uow, state: RunState, item, exc: Exception) -> None:
    payload = exc.payload if isinstance(exc, RecordFailed) else payload_of(item)
    uow.session.add(
        SyncFailure(
            run_id=state.run_id,
            source_id=state.source_id,
            external_id=str(item.external_id)[:500],
            reason=describe(exc)[:4000],
            payload=payload,
        )
    )


def resolve_failures(uow, source_id: int, external_ids) -> None:
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


def load_run(session, run_id: int) -> SyncRun:
    run = session.get(SyncRun, run_id)
    if run is None:
        raise NotFound(f"没有编号为 {run_id} 的同步记录。No sync run has the id {run_id}.")
    return run


def busy(name: str) -> Conflict:
    return Conflict(
        f"数据源 '{name}' 正在同步，请等它结束后再试（GET /api/v1/sources 查看进度）。"
        f"Source '{name}' is already syncing; wait for that run to finish "
        f"(see its progress with GET /api/v1/sources)."
    )


class RecordFailed(Exception):
    """A record the connector already reported as failed."""

    def __init__(self, reason: str, payload):
        super().__init__(reason)
        self.payload = payload


def with_error(errors, message: str) -> list:
    errors = list(errors or [])
    if len(errors) < MAX_ERRORS:
        errors.append({"at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "message": message})
    return errors


def describe(exc: Exception) -> str:
    if isinstance(exc, HubError):
        details = "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in exc.errors)
        return exc.message + (f" ({details})" if details else "")
    return str(exc) or type(exc).__name__


def payload_of(item):
    """What a failure keeps of an item: never the request headers (they carry credentials)."""
    if isinstance(item, Upsert):
        files = [
            {"name": f.name, "url": f.url, "size": f.size, "sha256": f.sha256} for f in item.files
        ]
        return {"record": item.record, "files": files}
    return {"external_id": item.external_id}
