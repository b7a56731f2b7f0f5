"""Small helpers that make organisations, users and tokens through the real AccountService."""

from __future__ import annotations

import itertools

from hub.security.principal import SYSTEM, Principal

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def make_org(
    hub,
    code: str | None = None,
    kind: str = "school",
    parent: str | None = None,
    region: str | None = "640104",
    name: str | None = None,
) -> dict:
    """An organisation (as the service's dict); `parent` is the parent's code."""
    code = code or f"org-{next(_numbers)}"
    return hub.accounts.create_org(
        SYSTEM, code=code, name=name or f"机构 {code}", kind=kind, parent=parent, region=region
    )


def make_user(
    hub,
    email: str | None = None,
    org: str | None = None,
    role: str | None = "teacher",
    admin: bool = False,
    password: str = PASSWORD,
    name: str = "",
) -> Principal:
    """A user with `role` in `org` (when given); returns the Principal requests would run as."""
    email = email or f"user{next(_numbers)}@example.cn"
    hub.accounts.create_user(
        SYSTEM,
        email=email,
        password=password,
        name=name,
        is_admin=admin,
        org=org,
        role=role if org else None,
    )
    return hub.accounts.principal_for_email(email)


def make_token(hub, email: str, name: str = "test", expires_days: int | None = None) -> str:
    """A fresh API token for an existing user."""
    token, _ = hub.accounts.create_token(SYSTEM, email=email, name=name, expires_days=expires_days)
    return token


def auth_header(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
