"""The outbox: messages written in a unit of work, carried out after the commit by a worker."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import or_, select

from hub.bundles import imports as bundle_imports
from hub.bundles import jobs as bundle_jobs
from hub.db.base import utcnow
from hub.db.models import OutboxMessage
from hub.services import indexer, previews
from hub.tasks import Task, Topic

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BASE_DELAY = 2.0  # seconds; doubles each attempt
MAX_DELAY = 3600.0


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BASE_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY))


def _start_sync(hub, payload: dict) -> None:
    """Hand a queued run to a worker; the task itself is idempotent (a finished run is skipped)."""
    hub.tasks.send(Task.HARVEST_SOURCE, payload["source_id"], payload["run_id"])


# topic -> handler(hub, payloads): many due messages of one topic at once (one search commit for
# all). If a batch fails, its messages are retried one by one, so one bad message cannot hold back
# the rest.
BATCH_HANDLERS: dict[str, Callable] = {
    Topic.RESOURCE_INDEX: indexer.handle_index,
    Topic.RESOURCE_INDEX_BATCH: indexer.handle_index,
    Topic.FILE_EXTRACT: indexer.handle_extract,
}


def _one_of_batch(handler: Callable) -> Callable:
    return lambda hub, payload: handler(hub, [payload])


# topic -> handler(hub, payload): every topic of the enum, so none waits for a handler forever.
HANDLERS: dict[str, Callable] = {
    Topic.SOURCE_SYNC: _start_sync,
    Topic.FILE_PREVIEW: previews.handle_preview,
    Topic.BUNDLE_BUILD: bundle_jobs.handle_build,
    Topic.BUNDLE_IMPORT: bundle_imports.handle_import,
    **{topic: _one_of_batch(handler) for topic, handler in BATCH_HANDLERS.items()},
}


class OutboxService:
    def __init__(self, hub):
        self.hub = hub

    def process(self, *, limit: int = 500) -> int:
        """Handle due messages once each; returns how many were done. Unknown topics wait for a handler."""
        with self._exclusive() as mine:
            if not mine:
                return (
                    0  # another worker thread or process is at it; it picks up these messages too
                )
            done = sum(self._handle_batch(topic, limit) for topic in list(BATCH_HANDLERS))
            for message_id in self._due(limit):
                done += self._handle(message_id)
            return done

    @contextmanager
    def _exclusive(self):
        """SQLite has no SKIP LOCKED: there, one processor at a time (a file lock in the data directory)."""
        if not self.hub.db.is_sqlite:
            yield True
            return
        path = self.hub.config.data_dir / "outbox.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def pending(self) -> int:
        with self.hub.uow() as uow:
            return len(
                uow.session.scalars(
                    select(OutboxMessage.id).where(OutboxMessage.processed.is_(None))
                ).all()
            )

    def _due(self, limit: int) -> list[int]:
        with self.hub.uow() as uow:
            query = (
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.processed.is_(None),
                    OutboxMessage.attempts < MAX_ATTEMPTS,
                    OutboxMessage.topic.in_(list(HANDLERS)),
                    or_(
                        OutboxMessage.next_attempt.is_(None), OutboxMessage.next_attempt <= utcnow()
                    ),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
            return list(uow.session.scalars(query).all())

    def _claim(self, message_ids: list[int]) -> list[int]:
        """Count an attempt on each due message and commit it before any handler runs: a worker
        killed mid-message (out of memory) has used that attempt, so a message that keeps killing
        its worker is given up after MAX_ATTEMPTS. The back-off set here also keeps other workers
        off the message while it is handled."""
        with self.hub.uow() as uow:
            query = select(OutboxMessage).where(
                OutboxMessage.id.in_(message_ids),
                OutboxMessage.processed.is_(None),
                OutboxMessage.attempts < MAX_ATTEMPTS,
                or_(OutboxMessage.next_attempt.is_(None), OutboxMessage.next_attempt <= utcnow()),
            )
            if not self.hub.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)  # two workers never claim one
            messages = list(uow.session.scalars(query).all())
            for message in messages:
                message.attempts = (message.attempts or 0) + 1
                message.next_attempt = utcnow() + backoff(message.attempts)
            uow.commit()
            return [message.id for message in messages]

    def _handle(self, message_id: int, *, claimed: bool = False) -> int:
        if not claimed and not self._claim([message_id]):
            return 0
        with self.hub.uow() as uow:
            query = select(OutboxMessage).where(
                OutboxMessage.id == message_id, OutboxMessage.processed.is_(None)
            )
            if not self.hub.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            message = uow.session.scalar(query)
            if message is None:
                return 0
            try:
                HANDLERS[message.topic](self.hub, dict(message.payload or {}))
            except Exception as exc:
                message.last_error = f"{type(exc).__name__}: {exc}"[:4000]
                message.next_attempt = utcnow() + backoff(message.attempts)
                log.warning(
                    "outbox %s (%s) failed, attempt %s: %s",
                    message.id,
                    message.topic,
                    message.attempts,
                    exc,
                )
                uow.commit()
                return 0
            message.processed = utcnow()
            uow.commit()
            return 1

    def _handle_batch(self, topic: str, limit: int) -> int:
        with self.hub.uow() as uow:
            query = (
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.processed.is_(None),
                    # tried before (a failed batch, a killed worker): one by one, so that a message
                    # that kills its worker uses up its own attempts, not those of its batch
                    OutboxMessage.attempts == 0,
                    OutboxMessage.topic == topic,
                    or_(
                        OutboxMessage.next_attempt.is_(None), OutboxMessage.next_attempt <= utcnow()
                    ),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
            due = list(uow.session.scalars(query).all())
        ids = self._claim(due) if due else []
        if not ids:
            return 0
        with self.hub.uow() as uow:
            query = select(OutboxMessage).where(
                OutboxMessage.id.in_(ids), OutboxMessage.processed.is_(None)
            )
            if not self.hub.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            messages = list(uow.session.scalars(query.order_by(OutboxMessage.id)).all())
            if not messages:
                return 0
            try:
                BATCH_HANDLERS[topic](self.hub, [dict(m.payload or {}) for m in messages])
            except Exception as exc:
                log.warning(
                    "outbox batch of %s %s failed, retrying one by one: %s",
                    len(messages),
                    topic,
                    exc,
                )
                ids = [m.id for m in messages]
                uow.session.rollback()  # release the row locks before the messages are taken one by one
                return sum(self._handle(message_id, claimed=True) for message_id in ids)
            now = utcnow()
            for message in messages:
                message.processed = now
            uow.commit()
            return len(messages)
