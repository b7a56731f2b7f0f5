"""Collections (备课包): a teacher's resources for one lesson or unit, in order, a note on each,
shared by link inside their organisation or region by the one visibility rule."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.db.base import new_id, utcnow
from hub.db.models import Collection, CollectionItem, Organisation, Resource
from hub.db.models.social import COLLECTION_VISIBILITIES
from hub.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from hub.security import visibility
from hub.security.principal import Principal
from hub.services import permissions
from hub.services.collection_input import clean_fields, clean_ids, clean_note
from hub.services.favourites import require_user, summary

MAX_ITEMS = 100
MAX_COLLECTIONS = 200
NOT_FOUND = "没有这个备课包，或您无权查看。No such collection, or you may not see it."
LOGIN = "请先登录再使用备课包。Log in (or send an API token) to use collections."
# Who sees a collection besides its owner: the resource rule's grants under these names.
SHARING = {"private": None, "org": "org", "region": "region"}


def can_view(actor: Principal, collection: Collection) -> bool:
    """The owner, or whoever the visibility rule lets see a record shared this way."""
    if actor.is_authenticated and collection.owner_id == actor.user_id:
        return True
    shared_as = SHARING.get(collection.visibility)
    if shared_as is None or collection.org is None:
        return actor.is_admin
    org = collection.org
    return visibility.may_see(actor, shared_as, org.region, org.path)


class CollectionService:
    """Collections in the database (`uow`); resources read through `resources`."""

    def __init__(self, uow, resources):
        self.uow, self.resources = uow, resources

    # -- reads -------------------------------------------------------------------------------------
    def list_mine(self, actor: Principal) -> list[dict]:
        require_user(actor, LOGIN)
        with self.uow(actor) as uow:
            rows = uow.session.scalars(
                select(Collection)
                .where(Collection.owner_id == actor.user_id)
                .order_by(Collection.updated.desc())
            ).all()
            return [self._to_dict(actor, c, items=False) for c in rows]

    def get(self, actor: Principal, collection_id: str) -> dict:
        with self.uow(actor) as uow:
            return self._to_dict(actor, self._load(uow.session, actor, collection_id))

    def readable_ids(self, actor: Principal, collection_id: str) -> tuple[dict, list[str]]:
        """The collection and its items' ids the actor may read, in order (for its bundle)."""
        with self.uow(actor) as uow:
            collection = self._load(uow.session, actor, collection_id)
            return self._to_dict(actor, collection, items=False), [
                item.resource_id for item, _ in self._readable(actor, collection)
            ]

    # -- writes ------------------------------------------------------------------------------------
    def create(self, actor: Principal, data: dict) -> dict:
        require_user(actor, LOGIN)
        fields = clean_fields(data, partial=False)
        with self.uow(actor) as uow:
            self._check_room(uow.session, actor)
            org = self._org_for(uow.session, actor, fields.pop("org", None))
            collection = Collection(id=new_id(), owner_id=actor.user_id, org=org, revision=1)
            for name, value in fields.items():
                setattr(collection, name, value)
            uow.session.add(collection)
            uow.session.flush()
            uow.audit("collection.create", "collection", collection.id, title=collection.title)
            return self._commit(uow, actor, collection)

    def update(self, actor: Principal, collection_id: str, data: dict, if_match=None) -> dict:
        fields = clean_fields(data, partial=True)
        with self.uow(actor) as uow:
            collection = self._load_own(uow.session, actor, collection_id, if_match)
            if "org" in fields:
                collection.org = self._org_for(uow.session, actor, fields.pop("org"))
            for name, value in fields.items():
                setattr(collection, name, value)
            uow.audit("collection.update", "collection", collection.id, fields=sorted(data))
            return self._commit(uow, actor, collection)

    def delete(self, actor: Principal, collection_id: str, if_match=None) -> None:
        with self.uow(actor) as uow:
            collection = self._load_own(uow.session, actor, collection_id, if_match)
            uow.audit("collection.delete", "collection", collection.id, title=collection.title)
            uow.session.delete(collection)
            uow.commit()

    def add_item(
        self, actor: Principal, collection_id: str, resource_id, note=None, if_match=None
    ) -> dict:
        """Append a resource the actor may read; adding one already there changes its note."""
        note = clean_note(note)
        with self.uow(actor) as uow:
            collection = self._load_own(uow.session, actor, collection_id, if_match)
            resource = self.resources.load_readable(uow.session, actor, resource_id)
            item = _item(collection, resource.id)
            if item is None:
                _check_items_room(collection)
                position = max((i.position for i in collection.items), default=-1) + 1
                item = CollectionItem(resource_id=resource.id, position=position, note="")
                collection.items.append(item)
            if note is not None:
                item.note = note
            return self._commit(uow, actor, collection)

    def set_note(self, actor: Principal, collection_id: str, resource_id, note, if_match=None):
        note = clean_note(note) or ""
        with self.uow(actor) as uow:
            collection = self._load_own(uow.session, actor, collection_id, if_match)
            _existing_item(collection, resource_id).note = note
            return self._commit(uow, actor, collection)

    def remove_item(self, actor: Principal, collection_id: str, resource_id, if_match=None):
        with self.uow(actor) as uow:
            collection = self._load_own(uow.session, actor, collection_id, if_match)
            collection.items.remove(_existing_item(collection, resource_id))
            return self._commit(uow, actor, collection)

    def reorder(self, actor: Principal, collection_id: str, resource_ids, if_match) -> dict:
        """Put the items in this order: every item once. Needs the revision the caller read, so
        two tabs reordering at once cannot silently undo each other."""
        if if_match is None:
            raise PreconditionRequired(
                "重新排序须带上您读到的版本号（If-Match 头或 revision 字段）。"
                "Send the revision you read (If-Match header or revision field) to reorder."
            )
        ids = clean_ids(resource_ids)
        with self.uow(actor) as uow:
            collection = self._load_own(uow.session, actor, collection_id, if_match)
            by_id = {i.resource_id: i for i in collection.items}
            if sorted(ids) != sorted(by_id):
                raise PreconditionFailed(
                    "新顺序须恰好包含备课包中的每一项；请刷新后再排。"
                    "The new order must name every item of the collection once: reload it and "
                    "try again."
                )
            for position, resource_id in enumerate(ids):
                by_id[resource_id].position = position
            collection.items.sort(key=lambda i: i.position)
            return self._commit(uow, actor, collection)

    # -- helpers -----------------------------------------------------------------------------------
    def _commit(self, uow, actor: Principal, collection: Collection) -> dict:
        collection.revision = (collection.revision or 0) + 1
        collection.updated = utcnow()
        uow.session.flush()
        result = self._to_dict(actor, collection)
        uow.commit()
        return result

    def _load(self, session: Session, actor: Principal, collection_id) -> Collection:
        collection = (
            session.get(Collection, collection_id) if isinstance(collection_id, str) else None
        )
        if collection is None or not can_view(actor, collection):
            raise NotFound(NOT_FOUND)
        return collection

    def _load_own(self, session, actor: Principal, collection_id, if_match) -> Collection:
        require_user(actor, LOGIN)
        collection = self._load(session, actor, collection_id)
        if collection.owner_id != actor.user_id:
            raise Forbidden(
                "只有备课包的创建者可以修改它。Only the teacher who made this collection may "
                "change it: copy its resources into a collection of your own."
            )
        if if_match is not None and if_match != collection.revision:
            raise PreconditionFailed(
                f"备课包已被修改（当前版本 {collection.revision}），请刷新后再改。"
                f"The collection changed since you read it (revision now {collection.revision}): "
                "reload it and try again."
            )
        return collection

    @staticmethod
    def _readable(actor: Principal, collection: Collection) -> list[tuple]:
        """(item, resource) of the items the actor may read, in order; one query for them all."""
        session = Session.object_session(collection)
        ids = [i.resource_id for i in collection.items]
        resources = {r.id: r for r in session.scalars(select(Resource).where(Resource.id.in_(ids)))}
        return [
            (i, resources[i.resource_id])
            for i in collection.items
            if i.resource_id in resources and permissions.can_read(actor, resources[i.resource_id])
        ]

    def _to_dict(self, actor: Principal, collection: Collection, items: bool = True) -> dict:
        out = {
            "id": collection.id,
            "title": collection.title,
            "description": collection.description or "",
            "visibility": collection.visibility,
            "org": collection.org.code if collection.org else None,
            "org_name": collection.org.name if collection.org else None,
            "owner_id": collection.owner_id,
            "is_owner": actor.is_authenticated and actor.user_id == collection.owner_id,
            "revision": collection.revision,
            "size": len(collection.items),
            "created": _iso(collection.created),
            "updated": _iso(collection.updated),
            "links": _links(collection.id),
        }
        if items:
            out["items"] = self._items(actor, collection)
        return out

    def _items(self, actor: Principal, collection: Collection) -> list[dict]:
        return [
            {"position": n, "note": item.note or "", "resource": summary(resource)}
            for n, (item, resource) in enumerate(self._readable(actor, collection))
        ]

    @staticmethod
    def _org_for(session: Session, actor: Principal, code: str | None) -> Organisation | None:
        """The organisation a collection is shared in: one the actor belongs to (their first by
        default)."""
        if code is None:
            ids = sorted(r.org_id for r in actor.roles)
            return session.get(Organisation, ids[0]) if ids else None
        org = session.scalar(select(Organisation).where(Organisation.code == code))
        if org is None or not actor.is_member_of(org.path):
            raise Forbidden(
                f"您不是机构 {code} 的成员，不能在其中共享。"
                f"You are not a member of {code}: share in an organisation of your own."
            )
        return org

    @staticmethod
    def _check_room(session: Session, actor: Principal) -> None:
        count = session.scalar(
            select(func.count()).select_from(Collection).where(Collection.owner_id == actor.user_id)
        )
        if count >= MAX_COLLECTIONS:
            raise ValidationFailed(
                f"备课包已达上限 {MAX_COLLECTIONS} 个，请先删除一些。"
                f"You have {MAX_COLLECTIONS} collections, the most allowed: delete some first."
            )


def _item(collection: Collection, resource_id: str) -> CollectionItem | None:
    return next((i for i in collection.items if i.resource_id == resource_id), None)


def _existing_item(collection: Collection, resource_id) -> CollectionItem:
    item = _item(collection, resource_id) if isinstance(resource_id, str) else None
    if item is None:
        raise NotFound("备课包中没有这一项。This resource is not in the collection.")
    return item


def _check_items_room(collection: Collection) -> None:
    if len(collection.items) >= MAX_ITEMS:
        raise ValidationFailed(
            f"一个备课包最多 {MAX_ITEMS} 项。A collection holds at most {MAX_ITEMS} resources: "
            "start a second one for the rest."
        )


def _links(collection_id: str) -> dict:
    return {
        "self": f"/api/v1/collections/{collection_id}",
        "html": f"/c/{collection_id}",
        "bundle": f"/api/v1/collections/{collection_id}/bundle",
    }


def _iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


__all__ = ["COLLECTION_VISIBILITIES", "CollectionService", "can_view"]
