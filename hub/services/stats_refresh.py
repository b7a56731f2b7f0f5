"""Folding usage events into daily and hourly aggregates; the record's `downloads` follows them."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import product

from sqlalchemy import (
    Date,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)

from hub.db.models.resources import Resource, ResourceFile
from hub.db.models.sources import Source
from hub.db.models.usage import (
    CatalogueCount,
    CoverageCount,
    UsageDaily,
    UsageEvent,
    UsageHourly,
    UsageWatermark,
)
from hub.services import stats_cache, stats_rollup

FACETS = ("stage", "type", "source", "org", "region", "visitor_org", "visitor_region")
GROUPED = ("kind", "visitor_key", "resource_id", *FACETS)
DAILY_COLUMNS = ("day", *GROUPED, "subject", "grade", "count")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def refresh(uow_factory, usage, events_days: int) -> dict:
    """Re-aggregate every day that has events newer than the watermark, then apply retention.

    `usage` (the recorder) is flushed first; events older than `events_days` are purged, their
    daily aggregates and rollup stay."""
    usage.flush()
    with uow_factory() as uow:
        session = uow.session
        # Row lock: a refresh from beat and one from the CLI do not fold the same days twice.
        mark = session.get(UsageWatermark, "daily", with_for_update=True)
        if session.get_bind().dialect.name == "postgresql":
            # The fold sorts whole days of events; the default 4 MB sends every sort to disk.
            session.execute(text("SET LOCAL work_mem = '64MB'"))
        since = mark.event_id if mark else 0
        fresh = select(
            func.count(), func.min(UsageEvent.at), func.max(UsageEvent.at), func.max(UsageEvent.id)
        ).where(UsageEvent.id > since)
        events, first, last, top = session.execute(fresh).one()
        days = _days(first, last) if events else []
        changed: Counter = Counter()
        if days:
            changed = _refresh_days(session, days[0], days[-1])
            stats_rollup.rebuild(session, days[0], days[-1])
        _apply_downloads(session, changed)
        if mark is None:
            session.add(UsageWatermark(name="daily", event_id=top or since))
        else:
            mark.event_id = top or since
        purged = _purge(session, events_days)
        _rebuild_coverage(session)
        _rebuild_catalogue(session)
        stats_cache.raise_generation(session, stats_cache.count_works(session))
        for rid, delta in changed.items():
            if delta:  # the `downloads` sort reads the search index
                uow.index_later(rid)
        uow.commit()
    return {"days": len(days), "events": events, "purged": purged}


def _days(first: datetime, last: datetime) -> list[date]:
    """Every day from the first new event to the last (re-folding a quiet day changes nothing)."""
    start, end = first.astimezone(UTC).date(), last.astimezone(UTC).date()
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _refresh_days(session, first: date, last: date) -> Counter:
    """Rebuild the days' aggregates in the database; returns each resource's change in downloads.

    A few statements whatever the number of days or events: nothing per event in Python."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    before = _downloads(session, first, last)
    session.execute(delete(UsageDaily).where(UsageDaily.day >= first, UsageDaily.day <= last))
    session.execute(delete(UsageHourly).where(UsageHourly.hour >= start, UsageHourly.hour < end))
    dialect = session.get_bind().dialect.name
    events = _events(dialect, UsageEvent.at >= start, UsageEvent.at < end)
    session.execute(insert(UsageDaily).from_select(DAILY_COLUMNS, _daily(events)))
    for query in _hourly(events):
        session.execute(insert(UsageHourly).from_select(("hour", "kind", "count"), query))
    after = _downloads(session, first, last)
    return Counter(
        {rid: after.get(rid, 0) - before.get(rid, 0) for rid in set(before) | set(after)}
    )


def _events(dialect: str, *where):
    """The events with their UTC day and hour; a record with several subjects or grades counts
    under its first."""
    E = UsageEvent
    if dialect == "postgresql":
        day = cast(func.timezone(literal_column("'UTC'"), E.at), Date)
        hour = func.date_trunc(literal_column("'hour'"), E.at)
    else:  # SQLite keeps UTC datetimes as text in this layout
        day = func.date(E.at)
        hour = func.strftime(literal_column("'%Y-%m-%d %H:00:00.000000'"), E.at)
    return (
        select(
            day.label("day"),
            hour.label("hour"),
            *(getattr(E, name) for name in (*GROUPED, "file_name")),
            E.subjects[0].as_string().label("subject"),
            E.grades[0].as_string().label("grade"),
        )
        .where(*where)
        .subquery()
    )


def _daily(events):
    """One row per day, visitor, resource and facets; a download once per visitor and file."""
    groups = [events.c[name] for name in ("day", *GROUPED, "subject", "grade")]
    files = func.count(func.distinct(func.coalesce(events.c.file_name, "")))
    count = case((events.c.kind == "download", files), else_=func.count())
    return select(*groups, count).group_by(*groups)


def _hourly(events) -> list:
    """Events per hour and kind; a download in the hour the visitor first fetched the file."""
    e = events.c
    once = ("day", "visitor_key", "resource_id", "file_name")
    first = (
        select(func.min(e.hour).label("hour"))
        .where(e.kind == "download")
        .group_by(*(e[name] for name in once))
        .subquery()
    )
    return [
        select(e.hour, e.kind, func.count()).where(e.kind != "download").group_by(e.hour, e.kind),
        select(first.c.hour, literal_column("'download'"), func.count()).group_by(first.c.hour),
    ]


def _downloads(session, first: date, last: date) -> dict[str, int]:
    rows = session.execute(
        select(UsageDaily.resource_id, func.sum(UsageDaily.count))
        .where(UsageDaily.day >= first, UsageDaily.day <= last, UsageDaily.kind == "download")
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
        # Chunks: PostgreSQL takes at most 65,535 parameters in one statement.
        for start in range(0, len(ids), 10_000):
            session.execute(
                update(Resource)
                .where(Resource.id.in_(ids[start : start + 10_000]))
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


def _rebuild_catalogue(session) -> None:
    """Published records and their files per organisation, county, source and owner."""
    R = Resource
    files = (
        select(
            ResourceFile.resource_id,
            func.count().label("files"),
            func.sum(ResourceFile.size).label("bytes"),
        )
        .group_by(ResourceFile.resource_id)
        .subquery()
    )
    groups = (R.org_id, R.region, R.source_id, R.owner_id)
    query = (
        select(
            *groups,
            func.count(),
            func.coalesce(func.sum(files.c.files), 0),
            func.coalesce(func.sum(files.c.bytes), 0),
        )
        .outerjoin(files, files.c.resource_id == R.id)
        .where(R.status == "published", R.is_latest.is_(True))
        .group_by(*groups)
    )
    session.execute(delete(CatalogueCount))
    names = ("org_id", "region", "source_id", "owner_id", "records", "files", "bytes")
    session.execute(insert(CatalogueCount).from_select(names, query))
