"""Folding usage events into daily and hourly aggregates; the record's `downloads` follows them."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import product

from sqlalchemy import delete, func, select, update

from hub.db.models.resources import Resource
from hub.db.models.sources import Source
from hub.db.models.usage import (
    CoverageCount,
    UsageDaily,
    UsageEvent,
    UsageHourly,
    UsageWatermark,
)

FACETS = ("stage", "type", "source", "org", "region", "visitor_org", "visitor_region")
EVENT_COLUMNS = ("at", "kind", "visitor_key", "resource_id", "file_name", "subjects", "grades")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def refresh(uow_factory, usage, events_days: int) -> dict:
    """Re-aggregate every day that has events newer than the watermark, then apply retention.

    `usage` (the recorder) is flushed first; events older than `events_days` are purged."""
    usage.flush()
    with uow_factory() as uow:
        session = uow.session
        # Row lock: a refresh from beat and one from the CLI do not fold the same days twice.
        mark = session.get(UsageWatermark, "daily", with_for_update=True)
        since = mark.event_id if mark else 0
        top = session.scalar(select(func.max(UsageEvent.id))) or since
        stamps = session.scalars(select(UsageEvent.at).where(UsageEvent.id > since)).all()
        days = sorted({stamp.astimezone(UTC).date() for stamp in stamps})
        changed: Counter = Counter()
        for day in days:
            changed.update(_refresh_day(session, day))
        _apply_downloads(session, changed)
        if mark is None:
            session.add(UsageWatermark(name="daily", event_id=top))
        else:
            mark.event_id = top
        purged = _purge(session, events_days)
        _rebuild_coverage(session)
        for rid, delta in changed.items():
            if delta:  # the `downloads` sort reads the search index
                uow.index_later(rid)
        uow.commit()
    return {"days": len(days), "events": len(stamps), "purged": purged}


def _refresh_day(session, day: date) -> Counter:
    """Rebuild one day's aggregates; returns each resource's change in downloads."""
    start, end = day_bounds(day)
    before = _day_downloads(session, day)
    session.execute(delete(UsageDaily).where(UsageDaily.day == day))
    session.execute(delete(UsageHourly).where(UsageHourly.hour >= start, UsageHourly.hour < end))
    events = session.scalars(
        select(UsageEvent)
        .where(UsageEvent.at >= start, UsageEvent.at < end)
        .order_by(UsageEvent.id)
    ).all()
    daily, hourly = _fold(events)
    session.add_all(UsageDaily(day=day, count=n, **dict(key)) for key, n in daily.items())
    session.add_all(UsageHourly(hour=h, kind=k, count=n) for (h, k), n in hourly.items())
    session.flush()
    after = _day_downloads(session, day)
    return Counter(
        {rid: after.get(rid, 0) - before.get(rid, 0) for rid in set(before) | set(after)}
    )


def _fold(events) -> tuple[Counter, Counter]:
    """Count per visitor-and-resource key and per hour; a download once per visitor and file."""
    daily: Counter = Counter()
    hourly: Counter = Counter()
    seen: set = set()
    for event in events:
        if event.kind == "download":
            once = (event.visitor_key, event.resource_id, event.file_name)
            if once in seen:
                continue
            seen.add(once)
        daily[_daily_key(event)] += 1
        hour = event.at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        hourly[(hour, event.kind)] += 1
    return daily, hourly


def _daily_key(event) -> tuple:
    fields = {name: getattr(event, name) for name in FACETS}
    fields.update(
        kind=event.kind,
        visitor_key=event.visitor_key,
        resource_id=event.resource_id,
        subject=(event.subjects or [None])[0],
        grade=(event.grades or [None])[0],
    )
    return tuple(sorted(fields.items()))


def _day_downloads(session, day: date) -> dict[str, int]:
    rows = session.execute(
        select(UsageDaily.resource_id, func.sum(UsageDaily.count))
        .where(UsageDaily.day == day, UsageDaily.kind == "download")
        .group_by(UsageDaily.resource_id)
    )
    return {rid: int(n) for rid, n in rows if rid}


def _apply_downloads(session, changed: Counter) -> None:
    """Add each day's change, so counts from before the events (imports, demo data) are kept."""
    by_delta = defaultdict(list)
    for rid, delta in changed.items():
        if delta:
            by_delta[delta].append(rid)
    for delta, ids in by_delta.items():
        session.execute(
            update(Resource)
            .where(Resource.id.in_(ids))
            .values(downloads=Resource.downloads + delta)
            .execution_options(synchronize_session=False)
        )


def _purge(session, days: int) -> int:
    """Events past retention go; their aggregates stay."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    return session.execute(delete(UsageEvent).where(UsageEvent.at < cutoff)).rowcount or 0


def _rebuild_coverage(session) -> None:
    """Published records counted per stage-subject-grade-edition-volume, grouped in the database."""
    query = (
        select(
            Resource.stage,
            Resource.subjects,
            Resource.grades,
            Resource.edition,
            Resource.volume,
            Source.kind,
            func.count(),
        )
        .outerjoin(Source, Source.id == Resource.source_id)
        .where(Resource.status == "published", Resource.is_latest.is_(True))
        .group_by(
            Resource.stage,
            Resource.subjects,
            Resource.grades,
            Resource.edition,
            Resource.volume,
            Source.kind,
        )
    )
    counts: Counter = Counter()
    for stage, subjects, grades, edition, volume, kind, n in session.execute(query):
        origin = "local" if kind is None else "national" if kind == "national" else None
        if origin is None:
            continue  # records from partner hubs and OAI-PMH repositories are neither
        for subject, grade in product(set(subjects or [None]), set(grades or [None])):
            counts[(origin, stage, subject, grade, edition, volume)] += n
    session.execute(delete(CoverageCount))
    names = ("origin", "stage", "subject", "grade", "edition", "volume")
    session.add_all(
        CoverageCount(count=n, **dict(zip(names, key, strict=True))) for key, n in counts.items()
    )
