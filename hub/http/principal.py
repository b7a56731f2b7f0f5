"""Who is calling (a bearer token, the web session, or nobody), for the API and the pages alike."""

from __future__ import annotations

from flask import g, request, session

from hub.errors import Unauthenticated
from hub.http.context import current_hub
from hub.security import scopes
from hub.security.principal import Principal


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
        principal = accounts.principal_for_user_id(user_id, ip=client_ip())
        if principal is not None:
            return principal
    return Principal(ip=client_ip())
