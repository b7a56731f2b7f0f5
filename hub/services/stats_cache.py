"""Stats answers kept in the process until the next refresh: keyed by the refresh generation.

The overview's, the counties' and the coverage grid's figures come from the tables `eduhub stats
refresh` rebuilds (`catalogue_counts`, `coverage_counts`, `usage_rollup`), so they only move when a
refresh commits. Each refresh raises a generation number in the same transaction; every answer
reads it (one indexed row) and computes again when it moved, or when the day did (the 30-day
windows). The few live inputs (schools, sync health, the national sync time) are never cached.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from sqlalchemy import func, select

from hub.db.models.resources import Resource
from hub.db.models.usage import UsageWatermark

GENERATION = "generation"  # the usage_watermark row a refresh raises
WORKS = "works"  # distinct works among the published records, counted at the refresh
LIMIT = 512  # answers kept per generation (one per scope and question); then start afresh


def generation_query():
    """The refresh generation (a scalar subquery: 0 before the first refresh)."""
    return (
        select(UsageWatermark.event_id).where(UsageWatermark.name == GENERATION).scalar_subquery()
    )


def raise_generation(session, works: int) -> None:
    """Called inside the refresh's transaction: cached answers move on when it commits."""
    mark = session.get(UsageWatermark, GENERATION)
    if mark is None:
        session.add(UsageWatermark(name=GENERATION, event_id=1))
    else:
        mark.event_id += 1
    session.merge(UsageWatermark(name=WORKS, event_id=works))


def count_works(session) -> int:
    """Copies of one work (hub.services.works) count once: a scan of the records, so once a refresh
    rather than once an overview."""
    work = func.coalesce(Resource.work_id, Resource.id)
    published = (Resource.status == "published", Resource.is_latest.is_(True))
    return session.scalar(select(func.count(func.distinct(work))).where(*published)) or 0


def works_query():
    """The distinct works the last refresh counted (a scalar subquery, None before it)."""
    return select(UsageWatermark.event_id).where(UsageWatermark.name == WORKS).scalar_subquery()


class AnswerCache:
    """Answers per key for one (generation, day); a key must name everything else the answer
    depends on, the caller's scope above all, so two scopes never share an answer."""

    def __init__(self):
        # One tuple, replaced whole: a thread still computing for an older generation stores into
        # that generation's dict, never into the new one.
        self._state: tuple = (None, {})

    def get(self, generation, key: tuple, compute):
        """A private copy of the answer for `key`, computed by `compute()` when missing."""
        epoch = (generation or 0, datetime.now(UTC).date())
        held, answers = self._state
        if held != epoch:
            answers = {}
            self._state = (epoch, answers)
        found = answers.get(key)
        if found is None:
            found = compute()
            if len(answers) >= LIMIT:
                answers.clear()
            answers[key] = found
        return copy.deepcopy(found)
