"""Favourites (收藏): the resources a teacher keeps for later, each only while they may read it."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from hub.db.models import Favourite, Resource
from hub.errors import Unauthenticated, ValidationFailed
from hub.security.principal import Principal
from hub.services import permissions

MAX_FAVOURITES = 1000
LOGIN = "请先登录再收藏。Log in (or send an API token) to keep favourites."


def summary(resource: Resource) -> dict:
    """What a list shows of a resource: enough to recognise and open it."""
    return {
        "id": resource.id,
        "title": resource.title,
        "type": resource.type,
        "stage": resource.stage,
        "subjects": list(resource.subjects or []),
        "grades": list(resource.grades or []),
        "edition": resource.edition,
        "volume": resource.volume,
        "chapter": resource.chapter,
        "status": resource.status,
        "links": {"self": f"/api/v1/resources/{resource.id}", "html": f"/r/{resource.id}"},
    }


def require_user(actor: Principal, message: str = LOGIN) -> None:
    if not actor.is_authenticated:
        raise Unauthenticated(message)


class FavouriteService:
    def __init__(self, uow, resources):
        self.uow, self.resources = uow, resources

    def list(self, actor: Principal) -> list[dict]:
        """The actor's favourites, newest first; one they may no longer read is left out."""
        require_user(actor)
        with self.uow(actor) as uow:
            rows = uow.session.scalars(
                select(Resource)
                .join(Favourite, Favourite.resource_id == Resource.id)
                .where(Favourite.user_id == actor.user_id)
                .order_by(Favourite.created.desc(), Resource.id)
            ).all()
            return [summary(r) for r in rows if permissions.can_read(actor, r)]

    def ids(self, actor: Principal, resource_ids: list[str]) -> set[str]:
        """Which of these resources the actor has kept (for the pages' star buttons)."""
        if not actor.is_authenticated or not resource_ids:
            return set()
        with self.uow(actor) as uow:
            return set(
                uow.session.scalars(
                    select(Favourite.resource_id).where(
                        Favourite.user_id == actor.user_id,
                        Favourite.resource_id.in_(resource_ids),
                    )
                )
            )

    def add(self, actor: Principal, resource_id: str) -> dict:
        """Keep a resource the actor may read; keeping it again changes nothing."""
        require_user(actor)
        with self.uow(actor) as uow:
            resource = self.resources.load_readable(uow.session, actor, resource_id)
            if uow.session.get(Favourite, (actor.user_id, resource.id)) is None:
                self._check_room(uow.session, actor)
                uow.session.add(Favourite(user_id=actor.user_id, resource_id=resource.id))
                uow.commit()
            return {"resource": summary(resource), "favourite": True}

    def remove(self, actor: Principal, resource_id: str) -> None:
        require_user(actor)
        with self.uow(actor) as uow:
            uow.session.execute(
                delete(Favourite).where(
                    Favourite.user_id == actor.user_id, Favourite.resource_id == resource_id
                )
            )
            uow.commit()

    @staticmethod
    def _check_room(session, actor: Principal) -> None:
        count = session.scalar(
            select(func.count()).select_from(Favourite).where(Favourite.user_id == actor.user_id)
        )
        if count >= MAX_FAVOURITES:
            raise ValidationFailed(
                f"收藏已达上限 {MAX_FAVOURITES} 条，请先取消一些。"
                f"You keep {MAX_FAVOURITES} favourites, the most allowed: remove some first."
            )
