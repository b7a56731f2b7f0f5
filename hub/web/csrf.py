"""CSRF protection for the web forms: a masked per-render token, and no cross-site posts."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from hub.bundles.imports import ADMINS_ONLY
from hub.errors import Forbidden, Unauthenticated
from hub.http import bodies
from hub.http.context import current_hub
from hub.http.csrf import (
    FIELD,
    HEADER,
    SAFE_METHODS,
    masked_token,
    rotate,
    same_origin,
    token_valid,
)
from hub.http.principal import current_principal

__all__ = ["check", "register", "rotate", "token"]


def token() -> str:
    """A token for one form: different bytes on every render, the same session secret underneath."""
    return masked_token()


def _refuse() -> Forbidden:
    return Forbidden(
        _(
            "The form has expired or did not come from this site: go back, reload the page and try "
            "again."
        )
    )


def _check_uploader() -> None:
    principal = current_principal()
    if not principal.is_authenticated:
        raise Unauthenticated(_("Please log in first, then add the files again."))
    if request.endpoint == "web.admin_bundle_upload":
        if not principal.is_admin:
            raise Forbidden(ADMINS_ONLY)
        return
    if request.endpoint == "web.admin_register_upload":
        if not principal.is_admin:
            raise Forbidden(_("Only hub administrators can open the admin pages."))
        return
    current_hub().files.check_can_upload(
        principal, (request.view_args or {}).get("resource_id", "")
    )


def check() -> None:
    if request.method in SAFE_METHODS:
        return
    # Checks that need no body come first: a cross-site post or an anonymous upload is refused
    # before a multipart body is parsed (and spooled to disk).
    if same_origin() is False:
        raise _refuse()
    if bodies.is_upload():
        _check_uploader()
    sent = request.headers.get(HEADER) or request.form.get(FIELD, "")
    if not token_valid(sent):
        raise _refuse()


def register(bp: Blueprint) -> None:
    bp.before_request(check)
    bp.app_context_processor(lambda: {"csrf_token": token})
