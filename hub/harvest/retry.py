"""Retrying recorded failures: fetch a record again, apply it in a savepoint, resolve or re-word."""

from __future__ import annotations

from sqlalchemy import update

from connectors.base import Failed, Upsert
from hub.db.models.sources import Source, SyncFailure
from hub.harvest import claims, runs
from hub.harvest.runner import OrmWriter, apply_item
from hub.harvest.runs import RunState
from hub.security.principal import SYSTEM


def retry_one(uow_factory, fetcher_factory, failure_id: int, connector) -> dict:
    """Apply a failed record again; it is resolved, or keeps its new reason. Returns the failure."""
    with uow_factory(SYSTEM) as uow:
        failure = uow.session.get(SyncFailure, failure_id)
        source = uow.session.get(Source, failure.source_id)
        state = RunState.of(failure.run_id, source)
        external_id, payload = failure.external_id, failure.payload
    fetcher = fetcher_factory(state, connector.http)
    try:
        item = claims.checked(_fetch_again(connector, external_id, payload), state.region)
        files = fetcher.prepare(item) if isinstance(item, Upsert) else None
        with uow_factory(SYSTEM) as uow:
            _count_attempt(uow, failure_id)
            try:
                with uow.session.begin_nested():
                    apply_item(OrmWriter(uow, state, fetcher), item, files)
            except Exception as exc:
                _reword(uow, failure_id, runs.describe(exc))
            else:
                runs.resolve_failures(uow, state.source_id, external_id)
            uow.commit()
            failure = uow.session.get(SyncFailure, failure_id, populate_existing=True)
            return runs.failure_to_dict(failure)
    finally:
        fetcher.close()


def _fetch_again(connector, external_id: str, payload):
    try:
        return connector.retry(external_id, payload)
    except Exception as exc:  # the source still fails: that is the failure's new reason
        return Failed(external_id, runs.describe(exc), payload)


def _count_attempt(uow, failure_id: int) -> None:
    uow.session.execute(
        update(SyncFailure)
        .where(SyncFailure.id == failure_id)
        .values(attempts=SyncFailure.attempts + 1)
    )
    uow.session.flush()


def _reword(uow, failure_id: int, reason: str) -> None:
    uow.session.execute(
        update(SyncFailure).where(SyncFailure.id == failure_id).values(reason=reason[:4000])
    )
