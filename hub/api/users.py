"""API: users (admins and org_admins), and the caller's own account."""

from __future__ import annotations

from flask_smorest import Blueprint

from hub.api.auth import require_user
from hub.api.schemas.accounts import (
    PasswordSchema,
    UserCreateSchema,
    UserListSchema,
    UserQuerySchema,
    UserSchema,
    UserStateSchema,
)
from hub.http.context import current_hub
from hub.http.principal import keep_session

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users 用户")


@blp.get("/users")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserListSchema)
@blp.doc(security=[{"bearer": []}])
def list_users(query):
    """Users the caller manages: everyone for admins, their subtree's members for org_admins."""
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


@blp.post("/users/<int:user_id>/password")
@blp.arguments(PasswordSchema)
@blp.response(204)
@blp.doc(security=[{"bearer": []}])
def set_password(body, user_id):
    """Set a user's password (admins, org_admins); one's own needs `current_password`.

    The user's other browser sessions end at once; the caller's own session stays signed in."""
    changed = current_hub().accounts.set_password(require_user(), user_id=user_id, **body)
    keep_session(changed)


@blp.post("/users/<int:user_id>/actions/<any(disable, enable):action>")
@blp.response(200, UserStateSchema)
@blp.doc(security=[{"bearer": []}])
def set_active(user_id, action):
    """Disable a user (tokens revoked, sessions ended at once) or enable them again."""
    return current_hub().accounts.set_active(require_user(), action == "enable", user_id=user_id)
