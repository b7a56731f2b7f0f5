"""Figures about the catalogue: overview totals, coverage against the vocabularies, counties."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import product

from sqlalchemy import func, select

from hub.db.models.accounts import Organisation
from hub.db.models.resources import Resource
from hub.db.models.sources import Source, SyncRun
from hub.db.models.usage import CatalogueCount, CoverageCount, UsageDaily, UsageRollup
from hub.errors import InvalidInput
from hub.services.stats_cache import AnswerCache, count_works, generation_query, works_query
from metadata import majors

AXES = ("stage", "subject", "grade", "major", "edition", "volume")
NATIONAL = "national"


def _published():
    return (Resource.status == "published", Resource.is_latest.is_(True))


class CatalogueFigures:
    """Catalogue figures read from `db`, labelled and enumerated from `vocabularies`."""

    def __init__(self, db, vocabularies):
        self.db = db
        self.vocabularies = vocabularies
        self.cache = AnswerCache()

    def cached(self, key: tuple, compute):
        """`compute()`'s answer, kept until the next refresh; `key` names the scope and question."""
        with self.db.session() as session:
            generation = session.scalar(select(generation_query()))
        return self.cache.get(generation, key, compute)

    def overview(self, usage_totals) -> dict:
        """The refresh's figures (cached until the next refresh) with the live counts beside."""
        with self.db.session() as session:
            generation, schools, sources, failing = session.execute(_live_overview()).one()
        answer = self.cache.get(
            generation, ("overview",), lambda: self._refreshed_overview(usage_totals)
        )
        answer["orgs"]["schools"] = int(schools or 0)
        answer["sync"] = {"sources": int(sources or 0), "failing": int(failing or 0)}
        return answer

    def _refreshed_overview(self, usage_totals) -> dict:
        totals = usage_totals()
        with self.db.session() as session:
            return {
                "resources": self._resources(session),
                "files": self._files(session),
                "downloads": totals["download"],
                "views": totals["view"],
                "active": self._active(session),
                "orgs": {"schools": 0, "schools_with_published": _with_published(session)},
                "sync": {},
            }

    def _resources(self, session) -> dict:
        rows = session.execute(
            select(Source.name, func.sum(CatalogueCount.records), works_query())
            .select_from(CatalogueCount)
            .outerjoin(Source, Source.id == CatalogueCount.source_id)
            .group_by(Source.name)
        ).all()
        counts = {name: int(n) for name, n, _ in rows}
        local = counts.pop(None, 0)
        by_source = [{"key": "local", "label": "本省资源 Local", "count": local}] + [
            {"key": name, "label": name, "count": n} for name, n in sorted(counts.items())
        ]
        harvested = sum(counts.values())
        # Copies of one work (hub.services.works) count once, as the last refresh counted them
        # (a database no refresh of this version has seen yet: counted here, once); a record
        # brought by two paths is one record already (hub.harvest.paths).
        works = rows[0][2] if rows else 0
        if works is None:
            works = count_works(session)
        return {
            "published": local + harvested,
            "works": int(works or 0),
            "local": local,
            "harvested": harvested,
            "by_source": by_source,
        }

    def _files(self, session) -> dict:
        count, size = session.execute(
            select(
                func.coalesce(func.sum(CatalogueCount.files), 0),
                func.coalesce(func.sum(CatalogueCount.bytes), 0),
            )
        ).one()
        return {"count": int(count), "bytes": int(size)}

    def _active(self, session) -> dict:
        """Signed-in visitors over 30 days: per day and organisation, summed (keys rotate daily)."""
        since = datetime.now(UTC).date() - timedelta(days=29)
        R = UsageRollup
        query = (
            select(R.kind, func.sum(R.visitors))
            .where(R.kind.in_(("use", "contribute")), R.by == "org", R.day >= since)
            .where(R.given == "", R.key.is_not(None))
            .group_by(R.kind)
        )
        found = {kind: int(n or 0) for kind, n in session.execute(query)}
        return {
            "teachers_30_days": found.get("use", 0),
            "contributors_30_days": found.get("contribute", 0),
        }

    def coverage(self, by: str, minimum: int, *, stage=None, subject=None) -> dict:
        axes = [a.strip() for a in (by or "stage,subject,grade").split(",") if a.strip()]
        if not axes or any(a not in AXES for a in axes) or len(set(axes)) != len(axes):
            raise InvalidInput(
                f"by 须由 {', '.join(AXES)} 组成。Give `by` as a comma list of {', '.join(AXES)}."
            )
        grid = [c for c in self._combinations(axes) if _wanted(c, stage, subject)]
        local, national, synced = self._counts(axes)
        rows = []
        for combo in grid:
            row = dict(zip(axes, combo, strict=True))
            have = local.get(combo, 0)
            row.update(
                local=have,
                national=None if synced is None else national.get(combo, 0),
                gap=have < minimum,
            )
            rows.append(row)
        return {"rows": rows, "national_synced_at": synced}

    def _combinations(self, axes: list[str]) -> list[tuple]:
        vocab = self.vocabularies
        out = []
        for stage in vocab.get("stages"):
            subjects = [
                s.code for s in vocab.get("subjects") if stage.code in (s.get("stages") or ())
            ]
            grades = [g.code for g in vocab.get("grades") if g.get("stage") == stage.code] or [None]
            # Vocational and higher stages: majors instead of subjects and grades.
            majors = [m.code for m in vocab.get("majors") if m.get("stage") == stage.code]
            choices = {
                "stage": [stage.code],
                "subject": subjects,
                "grade": grades,
                "major": majors,
                "edition": [e.code for e in vocab.get("editions")],
                "volume": [v.code for v in vocab.get("volumes")],
            }
            if ("subject" in axes and not subjects) or ("major" in axes and not majors):
                continue
            out.extend(product(*(choices[a] for a in axes)))
        return list(dict.fromkeys(out))

    def _counts(self, axes: list[str]):
        """From the table `eduhub stats refresh` keeps, summed to the axes asked for (cached until
        the next refresh); majors from the records themselves (a class counts for its category
        too), live."""
        synced_at = (
            select(func.max(SyncRun.finished_at))
            .join(Source, Source.id == SyncRun.source_id)
            .where(Source.kind == NATIONAL, SyncRun.status.in_(("succeeded", "partial")))
            .scalar_subquery()
        )
        with self.db.session() as session:
            generation, synced = session.execute(select(generation_query(), synced_at)).one()
            if "major" in axes:
                counts = _fresh_counts()
                _count_majors(session, axes, counts)
        if "major" not in axes:
            counts = self.cache.get(generation, ("coverage", *axes), lambda: self._table(axes))
        return counts["local"], counts["national"], synced.isoformat() if synced else None

    def _table(self, axes: list[str]) -> dict:
        counts = _fresh_counts()
        with self.db.session() as session:
            _count_table(session, axes, counts)
        return counts

    def regions(self, scope: list[str] | None) -> list[dict]:
        """The counties: schools live, the rest from the refresh's tables (cached per scope)."""
        vocab = self.vocabularies.get("regions")
        with self.db.session() as session:
            generation = session.scalar(select(generation_query()))
            schools = _by_region(
                session,
                select(Organisation.region, func.count())
                .where(Organisation.kind == "school", *_in(scope))
                .group_by(Organisation.region),
            )
        key = ("regions", None if scope is None else tuple(sorted(scope)))
        fixed = self.cache.get(generation, key, lambda: self._refreshed_regions(scope))
        return [_county_row(t, vocab, schools, *fixed) for t in vocab if t.get("level") == "county"]

    def _refreshed_regions(self, scope: list[str] | None) -> tuple[Counter, ...]:
        """Contributors, published records, downloads and active teachers per county."""
        since = datetime.now(UTC).date() - timedelta(days=29)
        with self.db.session() as session:
            published = _by_region(
                session, _resource_counts(func.sum(CatalogueCount.records), scope)
            )
            contributors = _by_region(
                session, _resource_counts(func.count(func.distinct(CatalogueCount.owner_id)), scope)
            )
            if scope is None:
                downloads = _by_region(session, _rolled(UsageRollup.count, "download", since))
                teachers = _by_region(session, _rolled(UsageRollup.visitors, "any", since))
            else:
                downloads = _by_region(
                    session, _daily(func.sum(UsageDaily.count), "download", since, scope)
                )
                teachers = _by_region(
                    session,
                    _daily(func.count(func.distinct(UsageDaily.visitor_key)), None, since, scope),
                )
        return contributors, published, downloads, teachers


def _live_overview():
    """The refresh generation and the overview's live counts (schools, sources, failing sources:
    those whose latest finished sync failed), in one statement."""
    schools = select(func.count()).where(Organisation.kind == "school").scalar_subquery()
    sources = select(func.count()).select_from(Source).scalar_subquery()
    latest = (
        select(SyncRun.source_id, func.max(SyncRun.id).label("last"))
        .where(SyncRun.status.in_(("succeeded", "failed", "partial")))
        .group_by(SyncRun.source_id)
        .subquery()
    )
    failing = (
        select(func.count())
        .select_from(SyncRun)
        .join(latest, latest.c.last == SyncRun.id)
        .where(SyncRun.status == "failed")
        .scalar_subquery()
    )
    return select(generation_query(), schools, sources, failing)


def _with_published(session) -> int:
    """Schools with at least one published record, from the counts the refresh keeps."""
    query = (
        select(func.count(func.distinct(CatalogueCount.org_id)))
        .join(Organisation, Organisation.id == CatalogueCount.org_id)
        .where(Organisation.kind == "school")
    )
    return int(session.scalar(query) or 0)


def _fresh_counts() -> dict[str, Counter]:
    return {"local": Counter(), "national": Counter()}


def _count_table(session, axes: list[str], counts: dict) -> None:
    keys = [getattr(CoverageCount, a) for a in axes]
    query = select(CoverageCount.origin, *keys, func.sum(CoverageCount.count)).group_by(
        CoverageCount.origin, *keys
    )
    for origin, *combo, n in session.execute(query):
        counts[origin][tuple(combo)] += int(n)


def _count_majors(session, axes: list[str], counts: dict) -> None:
    """Published records by stage and major, grouped in the database; local and national only,
    as in the coverage table."""
    columns = (Resource.stage, Resource.majors, Resource.edition, Resource.volume, Source.kind)
    query = (
        select(*columns, func.count())
        .outerjoin(Source, Source.id == Resource.source_id)
        .where(*_published(), Resource.stage.in_(majors.major_stages()))
        .group_by(*columns)
    )
    for stage, codes, edition, volume, kind, n in session.execute(query):
        origin = "local" if kind is None else "national" if kind == NATIONAL else None
        if origin is None:
            continue
        values = {"stage": stage, "edition": edition, "volume": volume}
        for major in majors.with_parents(codes or []):
            key = tuple(major if a == "major" else values.get(a) for a in axes)
            counts[origin][key] += int(n)


def _wanted(combo, stage, subject) -> bool:
    return (not stage or combo[0] == stage) and (not subject or subject in combo)


def _in(scope):
    return () if scope is None else (Organisation.code.in_(scope),)


def _resource_counts(measure, scope):
    """Local records per county, from the counts the refresh keeps."""
    C = CatalogueCount
    return (
        select(C.region, measure)
        .join(Organisation, Organisation.id == C.org_id)
        .where(C.source_id.is_(None), *_in(scope))
        .group_by(C.region)
    )


def _daily(measure, kind, since, scope):
    where = [UsageDaily.day >= since, UsageDaily.visitor_org.is_not(None)]
    if kind:
        where.append(UsageDaily.kind == kind)
    if scope is not None:
        where.append(UsageDaily.visitor_org.in_(scope))
    return (
        select(UsageDaily.visitor_region, measure).where(*where).group_by(UsageDaily.visitor_region)
    )


def _rolled(measure, kind, since):
    """The whole hub's figure per visitor region from the rollup (`any`: visitors across kinds)."""
    R = UsageRollup
    return (
        select(R.key, func.sum(measure))
        .where(R.kind == kind, R.given == "", R.by == "region", R.day >= since)
        .group_by(R.key)
    )


def _by_region(session, query) -> Counter:
    return Counter({code: int(n or 0) for code, n in session.execute(query) if code})


def _county_row(term, vocab, schools, contributors, published, downloads, teachers) -> dict:
    code = term.code
    active = teachers.get(code, 0)
    return {
        "code": code,
        "name": term.zh,
        "city": vocab.label(term.get("parent")),
        "rural": term.get("rural"),
        "southern_mountain": term.get("southern_mountain"),
        "resettlement": term.get("resettlement"),
        "schools": schools.get(code, 0),
        "contributors": contributors.get(code, 0),
        "published": published.get(code, 0),
        "downloads_30_days": downloads.get(code, 0),
        "active_teachers_30_days": active,
        "downloads_per_teacher": round(downloads.get(code, 0) / active, 2) if active else None,
    }
