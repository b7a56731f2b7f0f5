"""API: harvest sources, sync runs and their failed records (admins only)."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from connectors import kinds
from hub.api.auth import current_principal, require_user
from hub.errors import InvalidInput
from hub.http.context import current_hub

blp = Blueprint(
    "sources",
    __name__,
    url_prefix="/api/v1",
    description="Harvest sources and sync runs. 数据源与同步。",
)


class SourceInputSchema(Schema):
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": list(kinds())})
    url = fields.String(required=True)
    set = fields.String(allow_none=True, attribute="set_spec", data_key="set")
    metadata_prefix = fields.String(allow_none=True)
    schedule = fields.String(allow_none=True, metadata={"description": "five-field cron, UTC"})
    org = fields.String(allow_none=True, metadata={"description": "organisation code"})
    review = fields.Boolean(load_default=False)
    fetch_files = fields.Boolean()
    max_file_mb = fields.Integer()
    options = fields.Dict()
    token = fields.String(
        load_only=True,
        allow_none=True,
        metadata={
            "description": "the harvest token the other hub issued to this one: kept sealed, "
            "sent only to the source's own origin, never shown again (answers say `token_set`)"
        },
    )
    allow_private_host = fields.Boolean(
        load_default=False,
        metadata={
            "description": "the source is on this hub's own network: its own host may resolve to a "
            "loopback or private address"
        },
    )


class SourceChangeSchema(SourceInputSchema):
    """Every field optional: only those sent change."""

    class Meta:
        exclude = ("name", "kind")

    url = fields.String()
    review = fields.Boolean()
    allow_private_host = fields.Boolean()


class SyncInputSchema(Schema):
    full = fields.Boolean(load_default=False)


def _body() -> dict:
    data = request.get_json(silent=True)
    if data is None and request.content_length:
        raise InvalidInput("请求体应为 JSON。Send a JSON body with Content-Type: application/json.")
    return data or {}


@blp.route("/sources", methods=["GET"])
@blp.doc(summary="List sources with their last run", security=[{"bearer": []}])
def list_sources():
    require_user()
    return {"sources": current_hub().sources.list(current_principal())}


@blp.route("/sources", methods=["POST"])
@blp.arguments(SourceInputSchema)
@blp.doc(summary="Register a source", security=[{"bearer": []}])
def create_source(data):
    require_user()
    source = current_hub().sources.create(current_principal(), data)
    return source, 201, {"Location": f"/api/v1/sources/{source['id']}"}


@blp.route("/sources/<int:source_id>", methods=["GET"])
@blp.doc(summary="One source", security=[{"bearer": []}])
def get_source(source_id):
    require_user()
    return current_hub().sources.get(current_principal(), source_id)


@blp.route("/sources/<int:source_id>", methods=["PATCH"])
@blp.arguments(SourceChangeSchema)
@blp.doc(summary="Change a source (its URL is checked again)", security=[{"bearer": []}])
def change_source(data, source_id):
    require_user()
    return current_hub().sources.update(current_principal(), source_id, data)


@blp.route("/sources/<int:source_id>/runs", methods=["GET"])
@blp.doc(summary="A source's recent sync runs", security=[{"bearer": []}])
def list_runs(source_id):
    require_user()
    return {"runs": current_hub().sync.list_runs(current_principal(), source_id)}


@blp.route("/sources/<int:source_id>/sync", methods=["POST"])
@blp.doc(summary="Start a sync; 202 {run_id}, 409 while one is running", security=[{"bearer": []}])
def start_sync(source_id):
    require_user()
    full = bool(_body().get("full", False)) or request.args.get("full") in ("1", "true")
    run = current_hub().sync.start(current_principal(), source_id, full=full)
    return (
        {"run_id": run["id"], "status": run["status"]},
        202,
        {"Location": f"/api/v1/sync-runs/{run['id']}"},
    )


@blp.route("/sync-runs/<int:run_id>", methods=["GET"])
@blp.doc(summary="Status, counts and errors of a sync run", security=[{"bearer": []}])
def get_run(run_id):
    require_user()
    return current_hub().sync.get_run(current_principal(), run_id)


@blp.route("/sync-runs/<int:run_id>/failures", methods=["GET"])
@blp.doc(
    summary="Records the run could not take in, with reason and payload", security=[{"bearer": []}]
)
def list_failures(run_id):
    require_user()
    unresolved = request.args.get("unresolved") in ("1", "true")
    return {
        "failures": current_hub().sync.failures(
            current_principal(), run_id, unresolved_only=unresolved
        )
    }


@blp.route("/sync-runs/<int:run_id>/failures/retry", methods=["POST"])
@blp.doc(summary="Retry every unresolved failure of the run", security=[{"bearer": []}])
def retry_all(run_id):
    require_user()
    return current_hub().sync.retry_failures(current_principal(), run_id)


@blp.route("/sync-runs/<int:run_id>/failures/<int:failure_id>/retry", methods=["POST"])
@blp.doc(summary="Retry one failed record", security=[{"bearer": []}])
def retry_one(run_id, failure_id):
    require_user()
    return current_hub().sync.retry_failure(current_principal(), run_id, failure_id)
