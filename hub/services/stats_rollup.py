"""The rollup: per day, kind and dimension value, a count and the distinct visitors, no visitor key.

Built from `usage_daily` at refresh time, so `/stats/usage` reads a few rows per day whatever the
number of events. Visitor keys rotate daily, so a day's distinct visitors summed over a range is
the exact number of distinct keys in that range (visitor-days); one filter at a time is kept.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, insert, literal_column, select

from hub.db.models.usage import UsageDaily, UsageRollup

D = UsageDaily
# The dimensions `/stats/usage` groups by (`day` and `month` read `all`, one row per day).
DIMENSIONS = {
    "all": None,
    "region": D.visitor_region,
    "city": func.substr(D.visitor_region, 1, 4) + "00",
    "org": D.visitor_org,
    "subject": D.subject,
    "stage": D.stage,
    "grade": D.grade,
    "type": D.type,
    "source": D.source,
}
# The filters kept (one at a time); `org` reads `usage_daily` through its index instead.
GIVEN = {"region": D.visitor_region, "subject": D.subject, "stage": D.stage, "source": D.source}
# Visitors across kinds: the overview's teachers and contributors, the counties' active teachers.
KIND_GROUPS = {
    "use": ("search", "view", "download"),
    "contribute": ("upload", "publish"),
    "any": ("search", "view", "download", "upload", "publish"),
}
COLUMNS = ("day", "kind", "given", "given_key", "by", "key", "count", "visitors")


def rebuild(session, first: date, last: date) -> None:
    """Replace the rollup of the days from `first` to `last` from their daily aggregates."""
    session.execute(delete(UsageRollup).where(UsageRollup.day >= first, UsageRollup.day <= last))
    days = (D.day >= first, D.day <= last)
    for given in ("", *GIVEN):
        for by in DIMENSIONS:
            _insert(session, days, D.kind, given, by)
    for group, kinds in KIND_GROUPS.items():
        for by in ("all", "org", "region"):
            _insert(session, (*days, D.kind.in_(kinds)), _text(group), "", by)


def _insert(session, where, kind, given: str, by: str) -> None:
    given_col = GIVEN.get(given)
    key = DIMENSIONS[by]
    inner = select(
        D.day.label("day"),
        kind.label("kind"),
        (_text("") if given_col is None else given_col).label("given_key"),
        (_text("") if key is None else key).label("key"),
        D.count.label("count"),
        D.visitor_key.label("visitor_key"),
    ).where(*where, *(() if given_col is None else (given_col.is_not(None),)))
    sub = inner.subquery()
    # Grouped outside: PostgreSQL binds parameters server-side and would not match them in GROUP BY.
    outer = select(
        sub.c.day,
        sub.c.kind,
        _text(given),
        sub.c.given_key,
        _text(by),
        sub.c.key,
        func.sum(sub.c.count),
        func.count(func.distinct(sub.c.visitor_key)),
    ).group_by(sub.c.day, sub.c.kind, sub.c.given_key, sub.c.key)
    session.execute(insert(UsageRollup).from_select(COLUMNS, outer))


def _text(value: str):
    """A constant of this module's own (never input) written into the statement."""
    assert value.isidentifier() or value == ""
    return literal_column(f"'{value}'")
