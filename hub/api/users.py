"""API: users (admins and org_admins), and the caller's own account."""

from __future__ import annotations

from flask_smorest import Blueprint

from hub import current_hub
from hub.api.auth import require_user
from hub.api.schemas.accounts import UserCreateSchema, UserListSchema, UserQuerySchema, UserSchema

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users 用户")


@blp.get("/users")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserListSchema)
@blp.doc(security=[{"bearer": []}])
def list_users(query):
    """Users the caller manages: everyone for admins, their organisations' members for org_admins."""
    users = current_hub().accounts.list_users(require_user(), org=query.get("org"))
    return {"users": users, "total": len(users)}


@blp.post("/users")
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.doc(security=[{"bearer": []}])
def create_user(body):
    """Create a user, optionally with a role in an organisation."""
    return current_hub().accounts.create_user(require_user(), **body)


@blp.get("/users/me")
@blp.response(200, UserSchema)
@blp.doc(security=[{"bearer": []}])
def me():
    """The caller's own account and roles."""
    return current_hub().accounts.get_user(require_user())
