"""Ratings: one 1-5 score per teacher per resource (all its versions), its average and count; a
change reaches the search index through the outbox."""

from __future__ import annotations

from sqlalchemy import select

from hub.db.base import utcnow
from hub.db.models import Rating, Resource
from hub.errors import ValidationFailed
from hub.security.principal import Principal
from hub.services.favourites import require_user
from hub.services.rating_stats import as_fields, rating_stats

LOGIN = "请先登录再评分。Log in (or send an API token) to rate a resource."
NOT_PUBLISHED = "只能为已发布的资源评分或评论。Only published resources can be rated or discussed."


def check_stars(stars) -> int:
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationFailed.from_messages(
            {"stars": ["评分须为 1 到 5 的整数。Give a whole number of stars from 1 to 5."]}
        )
    return stars


def load_published(resources, session, actor: Principal, resource_id) -> Resource:
    """A resource the actor may read (else 404) that is published (else 422)."""
    resource = resources.load_readable(session, actor, resource_id)
    if resource.status != "published":
        raise ValidationFailed(NOT_PUBLISHED)
    return resource


class RatingService:
    """Ratings in the database (`uow`), resources read through `resources`, each user's pace kept
    by `pace` (a `UserPace`)."""

    def __init__(self, uow, resources, pace):
        self.uow, self.resources, self.pace = uow, resources, pace

    def summary(self, actor: Principal, resource_id: str) -> dict:
        """{"average", "count", "mine"} of a resource the actor may read."""
        with self.uow(actor) as uow:
            resource = self.resources.load_readable(uow.session, actor, resource_id)
            return self._summary(uow.session, actor, resource.lineage_id)

    def rate(self, actor: Principal, resource_id: str, stars) -> dict:
        """Set (or change) the actor's stars; the record's index entry is updated after commit."""
        require_user(actor, LOGIN)
        stars = check_stars(stars)
        self.pace.hit("rating", actor.user_id)
        with self.uow(actor) as uow:
            resource = load_published(self.resources, uow.session, actor, resource_id)
            rating = uow.session.get(Rating, (actor.user_id, resource.lineage_id))
            if rating is None:
                rating = Rating(user_id=actor.user_id, lineage_id=resource.lineage_id)
                uow.session.add(rating)
            before = rating.stars
            rating.stars, rating.updated = stars, utcnow()
            uow.audit("rating.set", "resource", resource.id, stars=stars, before=before)
            uow.index_later(self._latest_id(uow.session, resource))
            uow.session.flush()
            result = self._summary(uow.session, actor, resource.lineage_id)
            uow.commit()
            return result

    def for_owner(self, actor: Principal, lineage_ids: list[str]) -> dict[str, dict]:
        """Average and count per lineage, for the contributor's own list."""
        with self.uow(actor) as uow:
            return rating_stats(uow.session, lineage_ids)

    @staticmethod
    def _summary(session, actor: Principal, lineage_id: str) -> dict:
        stats = rating_stats(session, [lineage_id]).get(lineage_id, as_fields(None, 0))
        mine = None
        if actor.is_authenticated:
            mine = session.scalar(
                select(Rating.stars).where(
                    Rating.user_id == actor.user_id, Rating.lineage_id == lineage_id
                )
            )
        return {"average": stats["rating_avg"], "count": stats["rating_count"], "mine": mine}

    @staticmethod
    def _latest_id(session, resource: Resource) -> str:
        if resource.is_latest:
            return resource.id
        latest = session.scalar(
            select(Resource.id).where(
                Resource.lineage_id == resource.lineage_id, Resource.is_latest.is_(True)
            )
        )
        return latest or resource.id
