"""Ratings in aggregate: average and count per lineage, for pages, the API and the search index."""

from __future__ import annotations

from sqlalchemy import func, select

from hub.db.models import Rating


def stats_query():
    """lineage_id, average stars, count: one row per rated lineage (a subquery for joins)."""
    return select(
        Rating.lineage_id.label("lineage_id"),
        func.avg(Rating.stars).label("rating_avg"),
        func.count().label("rating_count"),
    ).group_by(Rating.lineage_id)


def as_fields(average, count) -> dict:
    """The record fields, spelled the same by the outbox and by a rebuild."""
    return {
        "rating_avg": round(float(average), 2) if average is not None else 0.0,
        "rating_count": int(count or 0),
    }


def rating_stats(session, lineage_ids) -> dict[str, dict]:
    """lineage id -> {"rating_avg", "rating_count"}; an unrated lineage is absent."""
    ids = list({i for i in lineage_ids if i})
    if not ids:
        return {}
    rows = session.execute(stats_query().where(Rating.lineage_id.in_(ids))).all()
    return {row.lineage_id: as_fields(row.rating_avg, row.rating_count) for row in rows}
