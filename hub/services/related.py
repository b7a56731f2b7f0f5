"""Related resources for a resource page: the same chapter in other editions, the other types for
the same lesson, and what the teachers who downloaded it also downloaded (co-downloads by visitor
and day; co-membership in shared collections when downloads say too little). Every list holds only
what the viewer may read, and each comes from one capped query."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from hub.db.base import utcnow
from hub.db.models import Collection, CollectionItem, Organisation, Resource, UsageDaily
from hub.security.principal import Principal
from hub.services import permissions
from hub.services.favourites import summary

SHOWN = 6  # per list
CANDIDATES = 200  # rows read per query at most
WINDOW_DAYS = 90
MIN_SUPPORT = 2  # visitor-days that downloaded both, before a pair is suggested
SEED_VISITS = 500  # the most recent visitor-days of this resource's downloads that are compared


def _readable_published(actor: Principal):
    """Published latest versions this viewer may read (Organisation joined)."""
    return (
        select(Resource)
        .outerjoin(Organisation, Organisation.id == Resource.org_id)
        .where(Resource.status == "published", Resource.is_latest.is_(True))
        .where(permissions.published_visibility_clause(actor))
    )


def _overlaps(left, right) -> bool:
    return not left or not right or bool(set(left) & set(right))


class RelatedService:
    def __init__(self, uow, resources):
        self.uow, self.resources = uow, resources

    def related(self, actor: Principal, resource_id: str) -> dict:
        with self.uow(actor) as uow:
            resource = self.resources.load_readable(uow.session, actor, resource_id)
            editions, lesson = self._same_chapter(uow.session, actor, resource)
            ranked, basis = self._co_downloaded(uow.session, resource), "downloads"
            if not ranked:
                ranked, basis = self._co_collected(uow.session, resource), "collections"
            also = self._load_ranked(uow.session, actor, ranked, exclude={resource.lineage_id})
            return {
                "editions": [summary(r) for r in editions[:SHOWN]],
                "lesson": [summary(r) for r in lesson[:SHOWN]],
                "also_downloaded": [summary(r) for r in also[:SHOWN]],
                "basis": basis if also else None,
            }

    @staticmethod
    def _same_chapter(session, actor: Principal, resource: Resource) -> tuple[list, list]:
        """(other editions' resources for this chapter, other types for this very lesson)."""
        if not resource.chapter or not resource.stage:
            return [], []
        rows = session.scalars(
            _readable_published(actor)
            .where(Resource.chapter == resource.chapter, Resource.stage == resource.stage)
            .where(Resource.lineage_id != resource.lineage_id)
            .order_by(Resource.downloads.desc(), Resource.id)
            .limit(CANDIDATES)
        ).unique()
        same_course = [
            r
            for r in rows
            if _overlaps(r.subjects, resource.subjects) and _overlaps(r.grades, resource.grades)
        ]
        editions = [r for r in same_course if r.edition != resource.edition]
        lesson = [
            r
            for r in same_course
            if r.edition == resource.edition
            and r.volume == resource.volume
            and r.type != resource.type
        ]
        return editions, lesson

    @staticmethod
    def _co_downloaded(session, resource: Resource) -> list[str]:
        """Resource ids downloaded by the same visitors on the same days, most shared first."""
        since = (utcnow() - timedelta(days=WINDOW_DAYS)).date()
        seed = (
            select(UsageDaily.day, UsageDaily.visitor_key)
            .where(UsageDaily.resource_id == resource.id, UsageDaily.kind == "download")
            .where(UsageDaily.day >= since)
            .order_by(UsageDaily.day.desc())
            .limit(SEED_VISITS)
            .subquery()
        )
        other = aliased(UsageDaily)
        support = func.count()
        rows = session.execute(
            select(other.resource_id, support)
            .join(seed, and_(seed.c.day == other.day, seed.c.visitor_key == other.visitor_key))
            .where(other.kind == "download", other.resource_id != resource.id)
            .group_by(other.resource_id)
            .having(support >= MIN_SUPPORT)
            .order_by(support.desc(), other.resource_id)
            .limit(CANDIDATES)
        ).all()
        return [row[0] for row in rows]

    @staticmethod
    def _co_collected(session, resource: Resource) -> list[str]:
        """Resource ids that shared collections hold together with this one, most often first."""
        mine, other = aliased(CollectionItem), aliased(CollectionItem)
        together = func.count()
        rows = session.execute(
            select(other.resource_id, together)
            .join(mine, mine.collection_id == other.collection_id)
            .join(Collection, Collection.id == other.collection_id)
            .where(mine.resource_id == resource.id, other.resource_id != resource.id)
            .where(Collection.visibility != "private")
            .group_by(other.resource_id)
            .order_by(together.desc(), other.resource_id)
            .limit(CANDIDATES)
        ).all()
        return [row[0] for row in rows]

    @staticmethod
    def _load_ranked(session, actor: Principal, ids: list[str], exclude: set[str]) -> list:
        if not ids:
            return []
        found = {
            r.id: r
            for r in session.scalars(_readable_published(actor).where(Resource.id.in_(ids)))
            .unique()
            .all()
        }
        return [found[i] for i in ids if i in found and found[i].lineage_id not in exclude]
