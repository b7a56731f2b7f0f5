"""API: the caller's API tokens; a script may get its first one with its email and password."""

from __future__ import annotations

from flask_smorest import Blueprint

from hub.api.auth import client_ip, require_user
from hub.api.schemas.accounts import TokenCreatedSchema, TokenCreateSchema, TokenListSchema
from hub.http.context import current_hub

blp = Blueprint("tokens", __name__, url_prefix="/api/v1", description="API tokens 令牌")

NO_STORE = {"Cache-Control": "no-store"}


@blp.post("/tokens")
@blp.arguments(TokenCreateSchema)
@blp.response(201, TokenCreatedSchema)
@blp.doc(security=[{"bearer": []}, {}])
def create_token(body):
    """Create a token, shown only in this answer; authenticate with a token, session or password."""
    accounts = current_hub().accounts
    if body["password"] is not None:
        # Log-in failures are throttled by the service per email and address.
        actor, email = (
            accounts.authenticate_password(body["email"], body["password"], ip=client_ip()),
            None,
        )
    else:
        actor, email = require_user(), body["email"]
    token, info = accounts.create_token(
        actor,
        email=email,
        name=body["name"],
        expires_days=body["expires_days"],
        scopes=body["scopes"],
        org=body["org"],
    )
    return {**info, "token": token}, 201, NO_STORE


@blp.get("/tokens")
@blp.response(200, TokenListSchema)
@blp.doc(security=[{"bearer": []}])
def list_tokens():
    """The caller's tokens (never the tokens themselves, only their first characters)."""
    return {"tokens": current_hub().accounts.list_tokens(require_user())}


@blp.delete("/tokens/<int:token_id>")
@blp.response(204)
@blp.doc(security=[{"bearer": []}])
def revoke_token(token_id):
    """Revoke a token; it stops working at once."""
    current_hub().accounts.revoke_token(require_user(), token_id)
