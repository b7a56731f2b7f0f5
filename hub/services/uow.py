"""Unit of work: one transaction, with audit entries, outbox messages and changes written inside it
and callbacks that run only after it commits."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from hub.db.models import AuditEntry, Change, OutboxMessage
from hub.events import audit_action
from hub.security.principal import Principal
from hub.tasks.topics import Topic

log = logging.getLogger(__name__)


class UnitOfWork:
    def __init__(
        self, session: Session, actor: Principal, on_outbox: Callable[[], None] | None = None
    ):
        self.session = session
        self.actor = actor
        self._after: list[Callable[[], None]] = []
        self._on_outbox = on_outbox
        self._has_outbox = False
        # Objects a long unit of work looks up again and again (e.g. a sync batch), by whatever key
        # the caller picks.
        self.memo: dict = {}
        self._index_ids: dict[str, None] = {}

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.session.rollback()
        self.session.close()

    def audit(self, action: str, target_type: str, target_id, **details) -> None:
        self.session.add(
            AuditEntry(
                actor_id=self.actor.user_id,
                actor=self.actor.label,
                action=audit_action(action).value,
                target_type=target_type,
                target_id=None if target_id is None else str(target_id),
                ip=self.actor.ip,
                details=details,
            )
        )

    def outbox(self, topic: str, **payload) -> None:
        self.session.add(OutboxMessage(topic=topic, payload=payload))
        self._has_outbox = True

    def index_later(self, resource_id: str) -> None:
        """Reindex this resource after the commit; one `resource.index_batch` message carries them
        all."""
        self._index_ids[resource_id] = None

    def change(self, resource_id: str, op: str) -> None:
        self.session.add(Change(resource_id=resource_id, op=op))

    def after_commit(self, fn: Callable[[], None]) -> None:
        self._after.append(fn)

    def commit(self) -> None:
        if self._index_ids:
            self.outbox(Topic.RESOURCE_INDEX_BATCH, ids=list(self._index_ids))
            self._index_ids = {}
        self.session.commit()
        if self._has_outbox and self._on_outbox:
            self._after.append(self._on_outbox)
        for fn in self._after:
            try:
                fn()
            except Exception:  # the commit stands; the outbox is retried by the worker
                log.exception("after-commit callback failed")
        self._after.clear()
        self._has_outbox = False
