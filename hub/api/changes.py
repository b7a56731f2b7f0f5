"""API: the federation changes feed for other hubs (public records, or with a bound harvest token
its subtree's; the cursor only moves forward)."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from hub.errors import InvalidInput
from hub.http.context import current_hub
from hub.http.principal import current_principal

blp = Blueprint(
    "changes",
    __name__,
    url_prefix="/api/v1",
    description="Changes feed for hub-to-hub sync. 变更订阅。",
)


@blp.route("/changes", methods=["GET"])
@blp.doc(
    summary="Published and withdrawn records after `since`, oldest first: public ones, or with a "
    "harvest token bound to an organisation those its subtree's members may read",
    security=[{}, {"bearer": []}],
    parameters=[
        {"in": "query", "name": "since", "schema": {"type": "string"}},
        {"in": "query", "name": "limit", "schema": {"type": "integer", "maximum": 1000}},
    ],
)
def changes():
    limit = request.args.get("limit", "100")
    if not limit.isdigit():
        raise InvalidInput("limit 应为正整数。limit must be a positive whole number.")
    # A harvest token bound to an organisation subtree reads what its members may read.
    return current_hub().changes.feed(request.args.get("since"), int(limit), current_principal())
