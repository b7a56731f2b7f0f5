"""API: the organisation tree (public to read; admins and org_admins add to it)."""

from __future__ import annotations

from flask_smorest import Blueprint

from hub.api.auth import require_user
from hub.api.schemas.accounts import OrgCreateSchema, OrgQuerySchema, OrgSchema, OrgTreeSchema
from hub.http.context import current_hub
from hub.services.orgs import nest

blp = Blueprint("orgs", __name__, url_prefix="/api/v1", description="Organisations 机构")


@blp.get("/orgs")
@blp.arguments(OrgQuerySchema, location="query")
@blp.response(200, OrgTreeSchema)
def list_orgs(query):
    """The organisation tree: schools under counties under cities under the province; alliances."""
    orgs = current_hub().accounts.list_orgs(
        None, parent=query.get("parent"), kind=query.get("kind")
    )
    return {"orgs": nest(orgs), "total": len(orgs)}


@blp.post("/orgs")
@blp.arguments(OrgCreateSchema)
@blp.response(201, OrgSchema)
@blp.doc(security=[{"bearer": []}])
def create_org(body):
    """Add an organisation (admins; org_admins under their own organisation)."""
    org = current_hub().accounts.create_org(require_user(), **body)
    return org, 201, {"Location": f"/api/v1/orgs/{org['code']}"}


@blp.get("/orgs/<code>")
@blp.response(200, OrgSchema)
def get_org(code):
    """One organisation by its code."""
    return current_hub().accounts.get_org(code)
