"""Teacher pages: keep a resource (收藏), put it in a collection (备课包), and a collection's page
with its order, notes, sharing and offline bundle. Plain forms; errors become the error page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from hub.http import cache
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.http.redirects import to_login

SHARING = {
    "private": _l("Only me"),
    "org": _l("Colleagues in my organisation"),
    "region": _l("Teachers in my region"),
}


def sharing_label(visibility: str) -> str:
    return str(SHARING.get(visibility, visibility))


def _revision() -> int | None:
    value = request.form.get("revision", "")
    return int(value) if value.isdigit() else None


def _back_to_resource(resource_id: str, **args):
    return redirect(url_for("web.resource", resource_id=resource_id, **args) + "#keep")


def favourite(resource_id: str):
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    if request.form.get("keep") == "0":
        current_hub().favourites.remove(principal, resource_id)
    else:
        current_hub().favourites.add(principal, resource_id)
    return _back_to_resource(resource_id)


def collect(resource_id: str):
    """Add the resource to one of the teacher's collections, or to a new one named here."""
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    collections = current_hub().collections
    collection_id = request.form.get("collection", "")
    if not collection_id:
        made = collections.create(principal, {"title": request.form.get("title", "")})
        collection_id = made["id"]
    collections.add_item(principal, collection_id, resource_id, note=request.form.get("note"))
    return _back_to_resource(resource_id, collected=collection_id)


def create():
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    fields = {name: request.form.get(name, "") for name in ("title", "description", "visibility")}
    made = current_hub().collections.create(principal, fields)
    return redirect(url_for("web.collection", collection_id=made["id"]))


def show(collection_id: str):
    collection = current_hub().collections.get(current_principal(), collection_id)
    page = render_template("collection.html", collection=collection)
    return page, 200, {"Cache-Control": cache.PRIVATE}


def settings(collection_id: str):
    fields = {name: request.form.get(name, "") for name in ("title", "description", "visibility")}
    current_hub().collections.update(
        current_principal(), collection_id, fields, if_match=_revision()
    )
    return _to_collection(collection_id)


def move(collection_id: str, resource_id: str):
    """One step up or down: the whole new order, checked against the revision the page showed."""
    collections, principal = current_hub().collections, current_principal()
    ids = [i["resource"]["id"] for i in collections.get(principal, collection_id)["items"]]
    if resource_id in ids:
        at = ids.index(resource_id)
        to = at - 1 if request.form.get("direction") == "up" else at + 1
        if 0 <= to < len(ids):
            ids[at], ids[to] = ids[to], ids[at]
    collections.reorder(principal, collection_id, ids, if_match=_revision())
    return _to_collection(collection_id)


def note(collection_id: str, resource_id: str):
    current_hub().collections.set_note(
        current_principal(),
        collection_id,
        resource_id,
        request.form.get("note", ""),
        if_match=_revision(),
    )
    return _to_collection(collection_id)


def remove(collection_id: str, resource_id: str):
    current_hub().collections.remove_item(
        current_principal(), collection_id, resource_id, if_match=_revision()
    )
    return _to_collection(collection_id)


def delete(collection_id: str):
    current_hub().collections.delete(current_principal(), collection_id, if_match=_revision())
    return redirect(url_for("web.mine") + "#collections")


def _to_collection(collection_id: str):
    return redirect(url_for("web.collection", collection_id=collection_id))


def keep_panel(record: dict) -> dict:
    """What the resource page's keep panel shows for the signed-in teacher."""
    hub, principal = current_hub(), current_principal()
    if not principal.is_authenticated:
        return {"signed_in": False}
    return {
        "signed_in": True,
        "favourite": record["id"] in hub.favourites.ids(principal, [record["id"]]),
        "collections": hub.collections.list_mine(principal),
    }


def mine_panel() -> dict:
    """The /mine sections of a teacher: favourites and collections."""
    hub, principal = current_hub(), current_principal()
    return {
        "favourites": hub.favourites.list(principal),
        "collections": hub.collections.list_mine(principal),
    }


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(sharing_label, "collection_sharing")
    bp.add_app_template_global(keep_panel, "keep_panel")
    bp.add_app_template_global(mine_panel, "mine_panel")
    post = {"methods": ["POST"]}
    bp.add_url_rule("/r/<resource_id>/favourite", "favourite", favourite, **post)
    bp.add_url_rule("/r/<resource_id>/collect", "collect", collect, **post)
    bp.add_url_rule("/collections", "collection_create", create, **post)
    bp.add_url_rule("/c/<collection_id>", "collection", show)
    bp.add_url_rule("/c/<collection_id>/settings", "collection_settings", settings, **post)
    bp.add_url_rule("/c/<collection_id>/delete", "collection_delete", delete, **post)
    item = "/c/<collection_id>/items/<resource_id>"
    bp.add_url_rule(f"{item}/move", "collection_move", move, **post)
    bp.add_url_rule(f"{item}/note", "collection_note", note, **post)
    bp.add_url_rule(f"{item}/remove", "collection_remove", remove, **post)
