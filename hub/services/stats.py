"""Province insight: usage, coverage and county figures from the aggregates, scoped by role."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, func, or_, select

from hub.db.models.accounts import Organisation
from hub.db.models.resources import Resource
from hub.db.models.usage import EVENT_KINDS, UsageDaily, UsageRollup
from hub.errors import Forbidden, InvalidInput, Unauthenticated
from hub.security.principal import Principal
from hub.services import stats_refresh, stats_rollup

BY = ("day", "month", "region", "city", "org", "subject", "stage", "grade", "type", "source")
FILTERS = ("region", "subject", "stage", "org", "source")
# `by` and the filters read the visitor's organisation and region, the rest the resource's facets.
COLUMN = {
    "region": "visitor_region",
    "city": "visitor_region",
    "org": "visitor_org",
    "subject": "subject",
    "stage": "stage",
    "grade": "grade",
    "type": "type",
    "source": "source",
}
VOCAB = {"subject": "subjects", "stage": "stages", "grade": "grades", "type": "types"}


class StatsService:
    """Usage and catalogue figures, scoped to what the caller may see.

    `uow` makes units of work (the refresh); `recorder` (usage events) is flushed before a refresh;
    `events_days` is how long raw events are kept."""

    def __init__(self, *, db, uow, vocabularies, recorder, catalogue, events_days: int):
        self.db = db
        self.uow = uow
        self.vocabularies = vocabularies
        self.recorder = recorder
        self.catalogue = catalogue
        self.events_days = events_days

    def refresh(self) -> dict:
        return stats_refresh.refresh(self.uow, self.recorder, self.events_days)

    def scope(self, actor: Principal) -> list[str] | None:
        """Organisation codes the caller may see (None: the whole hub); refuses everyone else."""
        if actor.is_admin:
            return None
        if not actor.is_authenticated:
            raise Unauthenticated("请先登录。Sign in to see usage statistics.")
        paths = [r.org_path for r in actor.roles if r.role in ("org_admin", "reviewer")]
        if not paths:
            raise Forbidden(
                "只有管理员、机构管理员和审核员可以查看统计。"
                "Only administrators, organisation administrators and reviewers can see statistics."
            )
        with self.db.session() as session:
            clause = or_(*(Organisation.path.startswith(p) for p in paths))
            return list(session.scalars(select(Organisation.code).where(clause)))

    def overview(self) -> dict:
        return self.catalogue.overview(self._usage_totals)

    def usage(self, actor: Principal, *, event, by, start=None, end=None, **filters) -> dict:
        scope = self.scope(actor)
        if event not in EVENT_KINDS or by not in BY:
            raise InvalidInput(
                f"event 须为 {', '.join(EVENT_KINDS)} 之一，by 须为 {', '.join(BY)} 之一。"
                f"Use event one of {', '.join(EVENT_KINDS)} and by one of {', '.join(BY)}."
            )
        end = end or datetime.now(UTC).date()
        start = start or end - timedelta(days=29)
        rows = self._grouped(self._found(event, by, start, end, scope, filters), by)
        return {
            "event": event,
            "by": by,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "rows": rows,
        }

    def usage_series(self, actor: Principal, events, start: date, end: date) -> dict:
        """Each event's count per day (ISO date -> count) for the insight page's chart, kept
        until the next refresh, per scope."""
        scope = self.scope(actor)
        key = ("series", None if scope is None else tuple(sorted(scope)), *events, start, end)

        def compute() -> dict:
            return {
                event: {
                    row["key"]: row["count"]
                    for row in self.usage(actor, event=event, by="day", start=start, end=end)[
                        "rows"
                    ]
                }
                for event in events
            }

        return self.catalogue.cached(key, compute)

    def _found(self, event, by, start, end, scope, filters) -> list[tuple]:
        """(key, count, visitors) per day or dimension value: from the rollup where it holds the
        question (the whole hub, at most one filter other than `org`), else from the daily rows."""
        given = {name: value for name, value in filters.items() if value}
        for name, value in given.items():
            _check_code(name, value)
        if scope is None and len(given) <= 1 and set(given) <= set(stats_rollup.GIVEN):
            query = _from_rollup(event, by, start, end, given)
        else:
            query = _from_daily(event, by, start, end, scope, given)
        with self.db.session() as session:
            return [(k, int(n), int(v)) for k, n, v in session.execute(query)]

    def _grouped(self, found, by) -> list[dict]:
        merged: dict = {}
        for k, n, v in found:
            name = self._key(by, k)
            count, visitors = merged.get(name, (0, 0))
            # Visitor keys change every day, so visitors add up across days (visitor-days).
            merged[name] = (count + n, visitors + v)
        ordered = sorted(merged.items(), key=lambda kv: (kv[0] == "unknown", -kv[1][0], kv[0]))
        if by in ("day", "month"):
            ordered = sorted(merged.items())
        labels = self._labels(by, [k for k, _ in ordered])
        return [
            {"key": k, "label": labels.get(k, k), "count": n, "visitors": v}
            for k, (n, v) in ordered
        ]

    @staticmethod
    def _key(by: str, value) -> str:
        if value is None:
            return "unknown"
        if by == "day":
            return value.isoformat()
        if by == "month":
            return value.isoformat()[:7]
        if by == "city":
            return f"{value[:4]}00"
        return str(value)

    def _labels(self, by: str, keys: list[str]) -> dict[str, str]:
        labels = {"unknown": "未知 Unknown"}
        if by in ("region", "city"):
            vocab = self.vocabularies.get("regions")
            labels.update({k: vocab.label(k) for k in keys if k != "unknown"})
        elif by in VOCAB:
            vocab = self.vocabularies.get(VOCAB[by])
            labels.update({k: vocab.label(k) for k in keys if k != "unknown"})
        elif by == "org":
            with self.db.session() as session:
                query = select(Organisation.code, Organisation.name).where(
                    Organisation.code.in_(keys)
                )
                labels.update(dict(session.execute(query).all()))
        return labels

    def _usage_totals(self) -> dict[str, dict]:
        """Downloads and views, in all and over the last 30 days, in one query."""
        since = datetime.now(UTC).date() - timedelta(days=29)
        R = UsageRollup
        recent = func.sum(case((R.day >= since, R.count), else_=0))
        query = (
            select(R.kind, func.sum(R.count), recent)
            .where(R.kind.in_(("download", "view")), R.given == "", R.by == "all")
            .group_by(R.kind)
        )
        found = {"download": {"total": 0, "last_30_days": 0}, "view": {}}
        found["view"] = dict(found["download"])
        with self.db.session() as session:
            for kind, total, last in session.execute(query):
                found[kind] = {"total": int(total), "last_30_days": int(last or 0)}
        return found

    def coverage(self, actor: Principal, *, by, minimum=1, stage=None, subject=None) -> dict:
        self.scope(actor)
        return self.catalogue.coverage(by, minimum, stage=stage, subject=subject)

    def own_usage(self, actor: Principal, days: int = 30) -> dict[str, dict[str, int]]:
        """Downloads and views of the caller's own resources over the last `days` days, by id."""
        if not actor.is_authenticated:
            raise Unauthenticated("请先登录。Sign in to see the usage of your resources.")
        since = datetime.now(UTC).date() - timedelta(days=days - 1)
        query = (
            select(UsageDaily.resource_id, UsageDaily.kind, func.sum(UsageDaily.count))
            .join(Resource, Resource.id == UsageDaily.resource_id)
            .where(
                Resource.owner_id == actor.user_id,
                UsageDaily.day >= since,
                UsageDaily.kind.in_(("download", "view")),
            )
            .group_by(UsageDaily.resource_id, UsageDaily.kind)
        )
        found: dict[str, dict[str, int]] = {}
        with self.db.session() as session:
            for resource_id, kind, n in session.execute(query):
                found.setdefault(resource_id, {"download": 0, "view": 0})[kind] = int(n)
        return found

    def regions(self, actor: Principal) -> dict:
        scope = self.scope(actor)
        return {"rows": self.catalogue.regions(scope)}


def _from_rollup(event, by, start, end, given: dict):
    name, value = next(iter(given.items()), ("", ""))
    dimension = "all" if by in ("day", "month") else by
    R = UsageRollup
    key = R.day if dimension == "all" else R.key
    return (
        select(key, func.sum(R.count), func.sum(R.visitors))
        .where(R.kind == event, R.given == name, R.given_key == value, R.by == dimension)
        .where(R.day >= start, R.day <= end)
        .group_by(key)
    )


def _from_daily(event, by, start, end, scope, given: dict):
    """Any combination of filters and a scope, from the per-visitor daily rows (exact, slower)."""
    D = UsageDaily
    where = [D.kind == event, D.day >= start, D.day <= end]
    where += [getattr(D, COLUMN[name]) == value for name, value in given.items()]
    if scope is not None:
        where.append(or_(D.visitor_org.in_(scope), D.org.in_(scope)))
    key = D.day if by in ("day", "month") else getattr(D, COLUMN[by])
    visitors = func.count(func.distinct(D.visitor_key))
    return select(key, func.sum(D.count), visitors).where(*where).group_by(key)


def _check_code(name: str, value: str) -> None:
    """Filter values are codes: short, without control characters (PostgreSQL refuses NUL)."""
    if len(value) > 200 or any(ord(c) < 32 for c in value):
        raise InvalidInput(
            f"{name} 应为代码，例如 640104 或 math。Give {name} as a code, such as 640104 or math."
        )


def parse_day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{name} 应为 YYYY-MM-DD 格式的日期。Give {name} as a date, YYYY-MM-DD."
        ) from None
