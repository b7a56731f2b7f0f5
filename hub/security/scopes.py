"""What an API token may do: its scopes, and the scope each request needs."""

from __future__ import annotations

import re

from hub.errors import Forbidden, ValidationFailed

SCOPES = ("read", "write", "harvest", "admin")
ALL = frozenset(SCOPES)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The federation feeds: a harvest token reads these and nothing else.
HARVEST_PATHS = ("/api/v1/changes", "/oai")
# ... and the files of the records it harvests (the service still checks each record's visibility).
HARVEST_FILE = re.compile(r"^/api/v1/resources/[^/]+/files/.+")


def parse(value) -> frozenset[str]:
    """Scopes from a list or a space-separated string; unknown names are refused."""
    names = value.split() if isinstance(value, str) else list(value or ())
    unknown = sorted(set(names) - ALL)
    if unknown or not names:
        raise ValidationFailed.from_messages(
            {
                "scopes": [
                    f"令牌权限范围须为 {', '.join(SCOPES)} 中的一个或多个。"
                    f"Give one or more scopes from: {', '.join(SCOPES)}."
                ]
            }
        )
    return frozenset(names)


def serialise(scopes) -> str:
    return " ".join(s for s in SCOPES if s in scopes)


def needed(method: str, path: str) -> tuple[str, ...]:
    """The scopes of which a request needs one: harvest feeds, reads, or writes."""
    if path.startswith(HARVEST_PATHS):
        return ("harvest", "read")
    if method.upper() in ("GET", "HEAD") and HARVEST_FILE.match(path):
        return ("harvest", "read")
    return ("read",) if method.upper() in SAFE_METHODS else ("write",)


def require(scopes: frozenset[str] | None, *wanted: str) -> None:
    """Forbidden unless the caller (None: a session or the CLI, unlimited) holds one of `wanted`."""
    if scopes is None or any(s in scopes for s in wanted):
        return
    raise Forbidden(
        f"该令牌没有 {' 或 '.join(wanted)} 权限，请用具有该权限的令牌。"
        f"This API token lacks the '{' or '.join(wanted)}' scope: use a token that has it."
    )
