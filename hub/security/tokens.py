"""API tokens: `ehk_` plus 32 random bytes; only their SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "ehk_"
RANDOM_BYTES = 32
# What lists show so that a person can tell tokens apart ("ehk_AbCd").
DISPLAY_CHARS = 8


def generate() -> str:
    """A new token, to be shown once to its owner and then forgotten."""
    return PREFIX + secrets.token_urlsafe(RANDOM_BYTES)


def digest(token: str) -> str:
    """The SHA-256 hex digest kept in the database; a fast hash is enough for 256 random bits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    return token[:DISPLAY_CHARS]


def looks_like_token(token: str) -> bool:
    """Cheap shape check before touching the database."""
    return token.startswith(PREFIX) and 40 <= len(token) <= 80
