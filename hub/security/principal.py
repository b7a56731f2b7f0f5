"""The caller of a service: a user with roles per organisation, or anonymous."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.security.regions import region_prefix, region_within  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Role:
    org_id: int
    org_path: str  # materialised path of the organisation, e.g. "/1/4/9/"
    region: str | None
    role: str


@dataclass(frozen=True)
class Principal:
    user_id: int | None = None
    email: str | None = None
    is_admin: bool = False
    roles: tuple[Role, ...] = ()
    ip: str | None = None
    name: str = ""
    # Set when the caller came with an API token: what it may do and when it expires.
    # None for sessions and the CLI, which are not limited by scope.
    scopes: frozenset[str] | None = None
    token_expires: datetime | None = None
    # The user's session version when this principal was made: a session cookie carries it.
    session_version: int = 0
    # Set for a harvest token bound to an organisation subtree: the subtree's path. Its roles are
    # then the subtree's (one per region in it), not its owner's, and it reads only the feeds.
    harvest_path: str | None = None

    def allows(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def label(self) -> str:
        return self.email or "anonymous"

    def has_role_over(self, org_path: str, *roles: str) -> bool:
        """True if the caller holds one of `roles` in this organisation or one of its ancestors."""
        if self.is_admin:
            return True
        return any(r.role in roles and org_path.startswith(r.org_path) for r in self.roles)

    def is_member_of(self, org_path: str) -> bool:
        """Member (any role) of this organisation or of an ancestor of it."""
        return self.is_admin or any(org_path.startswith(r.org_path) for r in self.roles)


ANONYMOUS = Principal()
SYSTEM = Principal(user_id=None, email="system", is_admin=True)
