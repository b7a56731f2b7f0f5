"""Figures about the catalogue: overview totals, coverage against the vocabularies, counties."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import product

from sqlalchemy import func, select

from hub.db.models.accounts import Organisation
from hub.db.models.resources import Resource, ResourceFile
from hub.db.models.sources import Source, SyncRun
from hub.db.models.usage import CoverageCount, UsageDaily
from hub.errors import InvalidInput

AXES = ("stage", "subject", "grade", "edition", "volume")
NATIONAL = "national"


def _published():
    return (Resource.status == "published", Resource.is_latest.is_(True))


class CatalogueFigures:
    """Catalogue figures read from `db`, labelled and enumerated from `vocabularies`."""

    def __init__(self, db, vocabularies):
        self.db = db
        self.vocabularies = vocabularies

    def overview(self, usage_totals) -> dict:
        with self.db.session() as session:
            return {
                "resources": self._resources(session),
                "files": self._files(session),
                "downloads": usage_totals("download"),
                "views": usage_totals("view"),
                "active": self._active(session),
                "orgs": self._orgs(session),
                "sync": self._sync(session),
            }

    def _resources(self, session) -> dict:
        rows = session.execute(
            select(Source.name, func.count())
            .select_from(Resource)
            .outerjoin(Source, Source.id == Resource.source_id)
            .where(*_published())
            .group_by(Source.name)
        ).all()
        counts = {name: int(n) for name, n in rows}
        local = counts.pop(None, 0)
        by_source = [{"key": "local", "label": "本省资源 Local", "count": local}] + [
            {"key": name, "label": name, "count": n} for name, n in sorted(counts.items())
        ]
        harvested = sum(counts.values())
        # Copies of one work (hub.services.works) count once; a record brought by two paths is
        # one record already (hub.harvest.paths).
        works = session.scalar(
            select(func.count(func.distinct(func.coalesce(Resource.work_id, Resource.id)))).where(
                *_published()
            )
        )
        return {
            "published": local + harvested,
            "works": int(works or 0),
            "local": local,
            "harvested": harvested,
            "by_source": by_source,
        }

    def _files(self, session) -> dict:
        count, size = session.execute(
            select(func.count(), func.coalesce(func.sum(ResourceFile.size), 0))
            .join(Resource, Resource.id == ResourceFile.resource_id)
            .where(*_published())
        ).one()
        return {"count": int(count), "bytes": int(size)}

    def _active(self, session) -> dict:
        since = datetime.now(UTC).date() - timedelta(days=29)
        signed_in = (UsageDaily.day >= since, UsageDaily.visitor_org.is_not(None))

        def distinct(*kinds):
            return int(
                session.scalar(
                    select(func.count(func.distinct(UsageDaily.visitor_key))).where(
                        *signed_in, UsageDaily.kind.in_(kinds)
                    )
                )
            )

        return {
            "teachers_30_days": distinct("search", "view", "download"),
            "contributors_30_days": distinct("upload", "publish"),
        }

    def _orgs(self, session) -> dict:
        schools = session.scalar(select(func.count()).where(Organisation.kind == "school"))
        with_published = session.scalar(
            select(func.count(func.distinct(Resource.org_id)))
            .join(Organisation, Organisation.id == Resource.org_id)
            .where(Organisation.kind == "school", *_published())
        )
        return {"schools": int(schools), "schools_with_published": int(with_published)}

    def _sync(self, session) -> dict:
        sources = session.scalar(select(func.count()).select_from(Source)) or 0
        latest = (
            select(SyncRun.source_id, func.max(SyncRun.id).label("last"))
            .where(SyncRun.status.in_(("succeeded", "failed", "partial")))
            .group_by(SyncRun.source_id)
            .subquery()
        )
        failing = session.scalar(
            select(func.count())
            .select_from(SyncRun)
            .join(latest, latest.c.last == SyncRun.id)
            .where(SyncRun.status == "failed")
        )
        return {"sources": int(sources), "failing": int(failing or 0)}

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
            choices = {
                "stage": [stage.code],
                "subject": subjects,
                "grade": grades,
                "edition": [e.code for e in vocab.get("editions")],
                "volume": [v.code for v in vocab.get("volumes")],
            }
            if "subject" in axes and not subjects:
                continue
            out.extend(product(*(choices[a] for a in axes)))
        return list(dict.fromkeys(out))

    def _counts(self, axes: list[str]):
        """From the table `eduhub stats refresh` keeps, summed to the axes asked for."""
        keys = [getattr(CoverageCount, a) for a in axes]
        query = select(CoverageCount.origin, *keys, func.sum(CoverageCount.count)).group_by(
            CoverageCount.origin, *keys
        )
        counts = {"local": Counter(), "national": Counter()}
        with self.db.session() as session:
            for origin, *combo, n in session.execute(query):
                counts[origin][tuple(combo)] += int(n)
            synced = session.scalar(
                select(func.max(SyncRun.finished_at))
                .join(Source, Source.id == SyncRun.source_id)
                .where(Source.kind == NATIONAL, SyncRun.status.in_(("succeeded", "partial")))
            )
        return counts["local"], counts["national"], synced.isoformat() if synced else None

    def regions(self, scope: list[str] | None) -> list[dict]:
        vocab = self.vocabularies.get("regions")
        since = datetime.now(UTC).date() - timedelta(days=29)
        with self.db.session() as session:
            schools = _by_region(
                session,
                select(Organisation.region, func.count())
                .where(Organisation.kind == "school", *_in(scope))
                .group_by(Organisation.region),
            )
            published = _by_region(session, _resource_counts(func.count(), scope))
            contributors = _by_region(
                session, _resource_counts(func.count(func.distinct(Resource.owner_id)), scope)
            )
            downloads = _by_region(
                session, _daily(func.sum(UsageDaily.count), "download", since, scope)
            )
            teachers = _by_region(
                session,
                _daily(func.count(func.distinct(UsageDaily.visitor_key)), None, since, scope),
            )
        return [
            _county_row(t, vocab, schools, contributors, published, downloads, teachers)
            for t in vocab
            if t.get("level") == "county"
        ]


def _wanted(combo, stage, subject) -> bool:
    return (not stage or combo[0] == stage) and (not subject or subject in combo)


def _in(scope):
    return () if scope is None else (Organisation.code.in_(scope),)


def _resource_counts(measure, scope):
    return (
        select(Resource.region, measure)
        .join(Organisation, Organisation.id == Resource.org_id)
        .where(*_published(), Resource.source_id.is_(None), *_in(scope))
        .group_by(Resource.region)
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
