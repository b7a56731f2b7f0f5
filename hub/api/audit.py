"""API: the audit log, for administrators (GET /api/v1/audit)."""

from __future__ import annotations

from datetime import UTC

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from hub.api import audit_export
from hub.api.auth import require_user
from hub.http.context import current_hub
from hub.services.audit import MAX_SIZE

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Audit log 审计日志")


class AuditQuerySchema(Schema):
    action = fields.String(
        metadata={"description": "an action such as 'resource.publish', or a prefix: 'resource.*'"}
    )
    actor = fields.String(metadata={"description": "e-mail of the person who acted"})
    target = fields.String(
        metadata={"description": "'TYPE:ID' (resource:0190...), 'TYPE:' or an id alone"}
    )
    since = fields.AwareDateTime(
        default_timezone=UTC,
        metadata={"description": "from this time (inclusive), ISO 8601"},
    )
    until = fields.AwareDateTime(
        default_timezone=UTC,
        metadata={"description": "up to this time (exclusive), ISO 8601"},
    )
    format = fields.String(
        validate=validate.OneOf(["csv"]),
        metadata={"description": "csv: the whole filtered log as a download (not one page)"},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    size = fields.Integer(load_default=50, validate=validate.Range(1, MAX_SIZE))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    details = fields.Dict()


class AuditPageSchema(Schema):
    entries = fields.List(fields.Nested(AuditEntrySchema))
    total = fields.Integer()
    links = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))


@blp.get("/audit")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
@blp.doc(security=[{"bearer": []}])
def list_audit(query):
    """The audit log, newest first (administrators only); `format=csv` downloads all of it."""
    filters = {k: query.get(k) for k in ("action", "target", "since", "until")}
    filters["actor_email"] = query.get("actor")
    if query.get("format") == "csv":
        return audit_export.as_csv(require_user(), filters)
    page = current_hub().audit.list(
        require_user(), page=query["page"], size=query["size"], **filters
    )
    return {"entries": page.entries, "total": page.total, "links": _links(query, page)}


def _links(query: dict, page) -> dict:
    def link(number: int) -> str:
        args = {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in query.items()
            if v is not None
        }
        return url_for("audit.list_audit", **{**args, "page": number}, _external=False)

    return {
        "self": link(page.page),
        "next": link(page.page + 1) if page.has_next else None,
        "prev": link(page.page - 1) if page.page > 1 else None,
    }
