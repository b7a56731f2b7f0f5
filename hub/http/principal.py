"""Who is calling (a bearer token, the web session, or nobody), for the API and the pages alike."""

from __future__ import annotations

from flask import g, request, session

from hub.errors import Unauthenticated
from hub.http.context import current_hub
from hub.security import scopes
from hub.security.principal import Principal

SESSION_VERSION = "sv"


def start_session(principal: Principal) -> None:
    """Sign `principal` in on a fresh session: nothing set before it survives (fixation)."""
    session.clear()
    session["uid"] = principal.user_id
    session[SESSION_VERSION] = principal.session_version


def keep_session(changed: dict) -> None:
    """After a password change, the session of the user who made it stays signed in."""
    if session.get("uid") == changed["id"]:
        session[SESSION_VERSION] = changed["session_version"]


def current_principal() -> Principal:
    if "principal" not in g:
        g.principal = _resolve()
    return g.principal


def require_user() -> Principal:
    principal = current_principal()
    if not principal.is_authenticated:
        raise Unauthenticated("请先登录或提供有效的令牌。Please log in or send a valid API token.")
    return principal


def client_ip() -> str | None:
    return request.remote_addr


def _resolve() -> Principal:
    accounts = current_hub().accounts
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "Authorization 头应为 'Bearer 令牌'。"
                "The Authorization header must be 'Bearer TOKEN'."
            )
        principal = accounts.principal_for_token(token.strip(), ip=client_ip())
        scopes.require(principal.scopes, *scopes.needed(request.method, request.path))
        return principal
    user_id = session.get("uid")
    if user_id:
        # Cookies from before session versions carry none: they stand for version 0.
        version = session.get(SESSION_VERSION, 0)
        principal = accounts.principal_for_session(user_id, version, ip=client_ip())
        if principal is not None:
            return principal
        session.clear()  # disabled, or signed in with a password that has since changed
    return Principal(ip=client_ip())
