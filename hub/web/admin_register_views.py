"""Operator page for the school register and user lists: upload, check (a preview of the report),
import; the same services and all-or-nothing rule as `eduhub orgs import` and `users import`."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from hub.errors import HubError, InvalidInput
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.services.orgs_files import MAX_BYTES
from hub.web.admin_views import _admin, _login_first

UPLOAD_ENDPOINT = "web.admin_register_upload"  # in hub.http.bodies.UPLOAD_ENDPOINTS


def register_page(report=None, what=None, message=None, status=200):
    if _admin() is None:
        return _login_first()
    page = render_template(
        "admin_register.html",
        report=report,
        what=what,
        message=message,
        applied=bool(report and report.applied),
    )
    return page, status, {"Cache-Control": "no-store"}


def upload():
    # The admin check ran before the body was read (hub.web.csrf); the services check again.
    what = request.form.get("what")
    upload = request.files.get("file")
    apply = request.form.get("action") == "apply"
    try:
        if upload is None or not upload.filename or what not in ("orgs", "users"):
            raise InvalidInput(_("Choose a CSV or .xlsx file to check or import."))
        data = upload.stream.read(MAX_BYTES + 1)  # one byte over: the service refuses it
        report = _import(what, data, upload.filename, apply)
    except HubError as exc:
        return register_page(message=exc.message, status=exc.status)
    return register_page(report=report, what=what, status=200 if not report.failed else 422)


def _import(what: str, data: bytes, filename: str, apply: bool):
    hub, actor = current_hub(), current_principal()
    if what == "orgs":
        return hub.register.import_file(actor, data, filename, apply=apply)
    send = apply and request.form.get("send") == "1"
    return hub.user_imports.import_file(actor, data, filename, apply=apply, send=send)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/register", "admin_register", register_page, methods=["GET"])
    bp.add_url_rule("/admin/register", "admin_register_upload", upload, methods=["POST"])
