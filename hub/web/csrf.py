"""CSRF protection for the web forms: a random token kept in the signed session, echoed by every form."""

from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, request, session
from flask_babel import gettext as _

from hub.errors import Forbidden

FIELD = "csrf_token"
SESSION_KEY = "csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def token() -> str:
    """This session's token, made on first use (the login form needs one before anyone is logged in)."""
    if SESSION_KEY not in session:
        session[SESSION_KEY] = secrets.token_urlsafe(32)
    return session[SESSION_KEY]


def rotate() -> None:
    """A fresh token, e.g. after log-in, so a token seen before log-in is useless afterwards."""
    session[SESSION_KEY] = secrets.token_urlsafe(32)


def check() -> None:
    if request.method in SAFE_METHODS:
        return
    expected = session.get(SESSION_KEY)
    sent = request.form.get(FIELD, "")
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise Forbidden(
            _(
                "The form has expired or did not come from this site: go back, reload the page and try "
                "again."
            )
        )


def register(bp: Blueprint) -> None:
    bp.before_request(check)
    bp.app_context_processor(lambda: {"csrf_token": token})
