"""API: resources -- create, read, change, withdraw, and the review workflow."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from hub.api.auth import current_principal
from hub.errors import InvalidInput
from hub.http.context import current_hub
from hub.http.usage import record_usage
from metadata.schema import ResourceInputSchema, ResourceRecordSchema

blp = Blueprint(
    "resources",
    __name__,
    url_prefix="/api/v1",
    description="Resources and the review workflow. 资源与审核流程。",
)


class CommentSchema(Schema):
    comment = fields.String(
        allow_none=True, metadata={"description": "Review comment (required for reject)."}
    )


def _body() -> dict:
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidInput(
            "请求体应为 JSON（Content-Type: application/json）。"
            "Send a JSON body with Content-Type: application/json."
        )
    return data


def _record_response(record: dict, status: int = 200):
    headers = {"ETag": f'"{record["revision"]}"'}
    if status == 201:
        headers["Location"] = record["links"]["self"]
    return record, status, headers


def _if_match() -> int | None:
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError:
        return -1  # never matches: a stale or foreign ETag is a mismatch, not an error


def _record_schema():

    return ResourceRecordSchema


def _input_schema():

    return ResourceInputSchema


@blp.route("/resources", methods=["POST"])
@blp.doc(
    requestBody={"content": {"application/json": {"schema": _input_schema()}}},
    summary="Create a draft from metadata",
    security=[{"bearer": []}],
)
@blp.alt_response(201, schema=_record_schema(), description="The new draft")
def create_resource():
    record = current_hub().resources.create(current_principal(), _body())
    return _record_response(record, 201)


@blp.route("/resources/<resource_id>")
class ResourceItem(MethodView):
    @blp.alt_response(200, schema=_record_schema(), description="The record")
    @blp.doc(summary="One record, with files and links; ETag is its revision")
    def get(self, resource_id):
        record = current_hub().resources.get(current_principal(), resource_id)
        return record_usage("view", resource_id, None, _record_response(record))

    @blp.doc(
        requestBody={"content": {"application/json": {"schema": _input_schema()}}},
        summary="Change metadata (If-Match: the revision you read)",
        security=[{"bearer": []}],
    )
    @blp.alt_response(200, schema=_record_schema(), description="The changed record")
    def patch(self, resource_id):
        record = current_hub().resources.update(
            current_principal(), resource_id, _body(), if_match=_if_match()
        )
        return _record_response(record)

    @blp.doc(
        summary="Withdraw: the record becomes a tombstone that federation still reports",
        security=[{"bearer": []}],
    )
    @blp.alt_response(200, description="The tombstone")
    def delete(self, resource_id):
        data = request.get_json(silent=True) or {}
        comment = data.get("comment") if isinstance(data, dict) else None
        return current_hub().resources.withdraw(current_principal(), resource_id, comment=comment)


@blp.route("/resources/<resource_id>/versions", methods=["GET"])
@blp.doc(summary="Every version of this resource that you may read")
@blp.alt_response(200, description="Versions")
def list_versions(resource_id):
    return {"versions": current_hub().resources.versions(current_principal(), resource_id)}


@blp.route("/resources/<resource_id>/actions/<action>", methods=["POST"])
@blp.doc(summary="Review workflow: submit, publish, reject, new-version", security=[{"bearer": []}])
@blp.arguments(CommentSchema, required=False)
@blp.alt_response(200, schema=_record_schema(), description="The record after the action")
def resource_action(body, resource_id, action):
    record = current_hub().resources.act(
        current_principal(), resource_id, action, comment=(body or {}).get("comment")
    )
    status = 201 if action == "new-version" else 200
    return record_usage(action, resource_id, None, _record_response(record, status))
