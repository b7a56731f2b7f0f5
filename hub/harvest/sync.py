"""The sync service: start a run, carry it out, read runs and failures, retry failures."""

from __future__ import annotations

import logging
from contextlib import closing

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from connectors import connector_for, policy_for
from connectors.base import ConnectorError, HttpClient
from connectors.outbound import RunBudget
from hub.db.models.sources import Source, SyncFailure, SyncRun
from hub.errors import NotFound
from hub.harvest import runs
from hub.harvest.mirror_defer import select_items
from hub.harvest.prefetch import prefetched
from hub.harvest.retry import retry_one
from hub.harvest.runner import BATCH, SyncRunner
from hub.harvest.sources import load_source, require_admin, source_config
from hub.security.principal import SYSTEM, Principal
from hub.tasks.topics import Topic

log = logging.getLogger(__name__)

RUN_SECONDS = 12 * 3600  # a whole run's deadline unless the source's options say otherwise
RUN_MB = 256 * 1024  # a whole run's downloads (files included)
# The next page is fetched while the current one is written; the harvest bench turns it off to
# measure what it gains.
PREFETCH = True


class SyncService:
    """`uow`: a unit-of-work factory; `fetcher_for(state, http)`: a run's file fetcher;
    `lock_runs`: claim runs with SELECT ... FOR UPDATE (every database but SQLite);
    `credentials`: opens a source's sealed token for its connector; `selection_for(source_id)`: a
    mirror's selection of its parent's records, None for a source taken whole."""

    def __init__(self, *, uow, fetcher_for, lock_runs: bool, credentials=None, selection_for=None):
        self.uow, self.fetcher_for, self.lock_runs = uow, fetcher_for, lock_runs
        self.credentials, self.selection_for = credentials, selection_for

    # -- starting and reading runs ---------------------------------------------------------------
    def start(self, actor: Principal, source_id: int, *, full: bool = False) -> dict:
        """Queue a run (the worker picks it up from the outbox); 409 while another is active."""
        require_admin(actor)
        with self.uow(actor) as uow:
            source = load_source(uow.session, source_id)
            runs.release_abandoned(uow.session, source.id)
            run = runs.new_run(source, full=full)
            uow.session.add(run)
            try:
                uow.session.flush()
            except IntegrityError:
                uow.session.rollback()
                raise runs.busy(source.name) from None
            uow.audit("source.sync", "source", source.id, run_id=run.id, full=full)
            uow.outbox(Topic.SOURCE_SYNC, run_id=run.id, source_id=source.id)
            run.source = source
            result = runs.run_to_dict(run)
            uow.commit()
        return result

    def get_run(self, actor: Principal, run_id: int) -> dict:
        require_admin(actor)
        with self.uow(actor) as uow:
            return runs.run_to_dict(runs.load_run(uow.session, run_id))

    def list_runs(self, actor: Principal, source_id: int, *, limit: int = 50) -> list[dict]:
        require_admin(actor)
        with self.uow(actor) as uow:
            query = select(SyncRun).where(SyncRun.source_id == source_id)
            found = uow.session.scalars(query.order_by(SyncRun.id.desc()).limit(limit)).all()
            return [runs.run_to_dict(r) for r in found]

    def failures(self, actor: Principal, run_id: int, *, unresolved_only: bool = False) -> list:
        require_admin(actor)
        with self.uow(actor) as uow:
            query = select(SyncFailure).where(SyncFailure.run_id == run_id)
            if unresolved_only:
                query = query.where(SyncFailure.resolved_at.is_(None))
            found = uow.session.scalars(query.order_by(SyncFailure.id)).all()
            return [runs.failure_to_dict(f) for f in found]

    # -- running ---------------------------------------------------------------------------------
    def run(self, run_id: int, *, connector=None) -> dict:
        """Carry out a queued run (or resume one whose worker died); returns the finished run."""
        with self.uow(SYSTEM) as uow:
            state = runs.claim(uow, run_id, lock=self.lock_runs)
            uow.commit()
        if state is None:
            return self.get_run(SYSTEM, run_id)
        fetcher = None
        try:
            connector = connector or self._connector(state.source_id)
            fetcher = self.fetcher_for(state, connector.http)
            runner = SyncRunner(self.uow, state, fetcher)
            with closing(self._items(state, connector)) as items:  # stops the prefetch thread
                runner.consume(items)
            if state.full:
                runner.withdraw_unseen()
        except Exception as exc:  # the connector gave up: keep what was committed, say why
            expected = isinstance(exc, ConnectorError)
            log.warning("sync run %s failed: %s", run_id, exc, exc_info=not expected)
            self._finish(run_id, error=runs.describe(exc))
        else:
            self._finish(run_id)
        finally:
            if fetcher is not None:
                fetcher.close()
        return self.get_run(SYSTEM, run_id)

    def _items(self, state, connector):
        items = connector.harvest(state.cursor, full=state.full)
        selection = self.selection_for(state.source_id) if self.selection_for else None
        if selection is not None:
            items = select_items(items, selection)
        return prefetched(items, size=BATCH) if PREFETCH else (item for item in items)

    def _finish(self, run_id: int, *, error: str | None = None) -> None:
        with self.uow(SYSTEM) as uow:
            runs.finish(uow, run_id, error=error)
            uow.commit()

    # -- retrying failed records -----------------------------------------------------------------
    def retry_failure(
        self, actor: Principal, run_id: int, failure_id: int, *, connector=None
    ) -> dict:
        """Fetch and apply one failed record again; it is resolved, or keeps its new reason."""
        require_admin(actor)
        with self.uow(actor) as uow:
            failure = uow.session.get(SyncFailure, failure_id)
            if failure is None or failure.run_id != run_id:
                raise NotFound(
                    f"同步 {run_id} 没有编号为 {failure_id} 的失败记录。"
                    f"Sync run {run_id} has no failure {failure_id}."
                )
            source_id = failure.source_id
        connector = connector or self._connector(source_id)
        return retry_one(self.uow, self.fetcher_for, failure_id, connector)

    def retry_failures(self, actor: Principal, run_id: int, *, connector=None) -> dict:
        """Retry every unresolved failure of a run."""
        pending = self.failures(actor, run_id, unresolved_only=True)
        if not pending:
            return {"retried": 0, "resolved": 0, "failures": []}
        with self.uow(actor) as uow:
            source_id = runs.load_run(uow.session, run_id).source_id
        connector = connector or self._connector(source_id)
        results = [retry_one(self.uow, self.fetcher_for, f["id"], connector) for f in pending]
        return {
            "retried": len(results),
            "resolved": sum(1 for r in results if r["resolved_at"]),
            "failures": results,
        }

    def _connector(self, source_id: int):
        with self.uow(SYSTEM) as uow:
            config = source_config(uow.session.get(Source, source_id), self.credentials)
        return connector_for(config, http_for(config))


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
