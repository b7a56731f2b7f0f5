"""API: a teacher's favourites (`/api/v1/me/favourites`) and collections (`/api/v1/collections`),
their items in order with notes, and a collection as one offline bundle."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from hub.api.auth import current_principal
from hub.api.download import send_download
from hub.errors import InvalidInput
from hub.http.context import current_hub

blp = Blueprint(
    "collections",
    __name__,
    url_prefix="/api/v1",
    description="Favourites and collections (收藏与备课包).",
)
WRITE = [{"bearer": []}]


def json_object() -> dict:
    """The request's JSON object (a teacher-feature body), or 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(
            "请求体应为 JSON 对象（Content-Type: application/json）。"
            "Send a JSON object with Content-Type: application/json."
        )
    return data


def _revision(body: dict | None = None) -> int | None:
    """The revision the caller read: the If-Match header, else a `revision` field in the body."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        value = header.removeprefix("W/").strip('"')
        return int(value) if value.isdigit() else -1  # a foreign ETag never matches
    value = (body or {}).get("revision")
    if value is None:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _with_etag(collection: dict, status: int = 200):
    headers = {"ETag": f'"{collection["revision"]}"'}
    if status == 201:
        headers["Location"] = collection["links"]["self"]
    return collection, status, headers


# -- favourites ------------------------------------------------------------------------------------
@blp.route("/me/favourites", methods=["GET"])
@blp.doc(summary="Your favourites (收藏), newest first", security=WRITE)
def list_favourites():
    return {"favourites": current_hub().favourites.list(current_principal())}


@blp.route("/me/favourites/<resource_id>", methods=["PUT"])
@blp.doc(summary="Keep a resource you may read (idempotent)", security=WRITE)
def put_favourite(resource_id):
    return current_hub().favourites.add(current_principal(), resource_id)


@blp.route("/me/favourites/<resource_id>", methods=["DELETE"])
@blp.doc(summary="Stop keeping a resource (idempotent)", security=WRITE)
def delete_favourite(resource_id):
    current_hub().favourites.remove(current_principal(), resource_id)
    return "", 204


# -- collections -----------------------------------------------------------------------------------
@blp.route("/collections", methods=["GET"])
@blp.doc(summary="Your collections (备课包), most recently changed first", security=WRITE)
def list_collections():
    return {"collections": current_hub().collections.list_mine(current_principal())}


@blp.route("/collections", methods=["POST"])
@blp.doc(
    summary="Make a collection: {title, description?, visibility: private|org|region, org?}",
    security=WRITE,
)
def create_collection():
    return _with_etag(current_hub().collections.create(current_principal(), json_object()), 201)


@blp.route("/collections/<collection_id>", methods=["GET"])
@blp.doc(summary="A collection with the items you may read, in order; ETag is its revision")
def get_collection(collection_id):
    return _with_etag(current_hub().collections.get(current_principal(), collection_id))


@blp.route("/collections/<collection_id>", methods=["PATCH"])
@blp.doc(summary="Change title, description, visibility or org (If-Match)", security=WRITE)
def patch_collection(collection_id):
    body = json_object()
    collection = current_hub().collections.update(
        current_principal(), collection_id, body, if_match=_revision(body)
    )
    return _with_etag(collection)


@blp.route("/collections/<collection_id>", methods=["DELETE"])
@blp.doc(summary="Delete a collection (the resources stay)", security=WRITE)
def delete_collection(collection_id):
    current_hub().collections.delete(current_principal(), collection_id, if_match=_revision())
    return "", 204


@blp.route("/collections/<collection_id>/items", methods=["POST"])
@blp.doc(summary="Append a resource: {resource_id, note?}", security=WRITE)
def add_item(collection_id):
    body = json_object()
    collection = current_hub().collections.add_item(
        current_principal(),
        collection_id,
        body.get("resource_id"),
        note=body.get("note"),
        if_match=_revision(body),
    )
    return _with_etag(collection)


@blp.route("/collections/<collection_id>/items", methods=["PUT"])
@blp.doc(
    summary="Reorder: {items: [resource ids, every item once]}; If-Match (or revision) required",
    security=WRITE,
)
def reorder_items(collection_id):
    body = json_object()
    collection = current_hub().collections.reorder(
        current_principal(), collection_id, body.get("items"), if_match=_revision(body)
    )
    return _with_etag(collection)


@blp.route("/collections/<collection_id>/items/<resource_id>", methods=["PATCH"])
@blp.doc(summary="Change an item's note: {note}", security=WRITE)
def patch_item(collection_id, resource_id):
    body = json_object()
    collection = current_hub().collections.set_note(
        current_principal(), collection_id, resource_id, body.get("note"), if_match=_revision(body)
    )
    return _with_etag(collection)


@blp.route("/collections/<collection_id>/items/<resource_id>", methods=["DELETE"])
@blp.doc(summary="Take a resource out of the collection", security=WRITE)
def delete_item(collection_id, resource_id):
    collection = current_hub().collections.remove_item(
        current_principal(), collection_id, resource_id, if_match=_revision()
    )
    return _with_etag(collection)


@blp.route("/collections/<collection_id>/bundle", methods=["GET", "HEAD"])
@blp.doc(summary="The collection as one signed offline bundle (ZIP) of what you may read")
def get_bundle(collection_id):
    download = current_hub().collection_bundles.download(current_principal(), collection_id)
    return send_download(download)
