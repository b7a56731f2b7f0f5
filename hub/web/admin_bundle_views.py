"""Operator page for offline bundles: upload one to import (a worker does it), its report, keys."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub.bundles.imports import BundleImportService
from hub.errors import HubError, InvalidInput
from hub.http import cache
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.web.admin_views import _admin, _login_first

UPLOAD_ENDPOINT = "web.admin_bundle_upload"  # in hub.http.bodies.UPLOAD_ENDPOINTS: the upload limit
ACTIVE = ("queued", "running")


def _service() -> BundleImportService:
    return current_hub().bundle_imports


def bundles_page(message=None, status=200):
    principal = _admin()
    if principal is None:
        return _login_first()
    service = _service()
    imports = service.recent(principal)
    shown = request.args.get("import")
    page = render_template(
        "admin_bundles.html",
        imports=imports,
        shown=next((i for i in imports if i["id"] == shown), None),
        active=next((i for i in imports if i["status"] in ACTIVE), None),
        keys=service.trusted_keys(),
        message=message,
        notice=request.args.get("notice"),
    )
    return page, status, {"Cache-Control": cache.PRIVATE}


def import_status(import_id: str):
    """One import's state as JSON, for bundles.js to notice when it ends."""
    if _admin() is None:
        return _login_first()
    return _service().get(current_principal(), import_id), 200, {"Cache-Control": cache.PRIVATE}


def upload_bundle():
    # The admin check ran before the body was read (hub.web.csrf); the service checks again.
    upload = request.files.get("bundle")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput(_("Choose a bundle file (.zip) to upload."))
        job = _service().queue(current_principal(), upload.stream, upload.filename)
    except HubError as exc:
        return bundles_page(exc.message, exc.status)
    notice = _("Uploaded %(name)s: the import runs in the background.", name=job["name"])
    return redirect(url_for("web.admin_bundles", notice=notice, **{"import": job["id"]}))


def add_key():
    form = request.form
    try:
        entry = _service().add_key(current_principal(), form.get("key", ""), form.get("label", ""))
    except HubError as exc:
        return bundles_page(exc.message, exc.status)
    return redirect(
        url_for("web.admin_bundles", notice=_("Key trusted: %(key)s", key=entry["key"]))
    )


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/bundles", "admin_bundles", bundles_page, methods=["GET"])
    bp.add_url_rule("/admin/bundles", "admin_bundle_upload", upload_bundle, methods=["POST"])
    bp.add_url_rule(
        "/admin/bundles/imports/<import_id>", "admin_bundle_import", import_status, methods=["GET"]
    )
    bp.add_url_rule("/admin/bundles/keys", "admin_bundle_key", add_key, methods=["POST"])
