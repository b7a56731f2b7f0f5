"""/admin/duplicates: suspected duplicates to merge into one work or keep apart, and the latest
merges to undo."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub.errors import HubError
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.web.admin_views import _admin, _login_first

ACTIONS = ("merge", "keep-apart", "unmerge")


def duplicates_page(message=None, status=200):
    principal = _admin()
    if principal is None:
        return _login_first()
    hub = current_hub()
    return render_template(
        "admin_duplicates.html",
        suspects=hub.duplicates.suspects(principal),
        merged=hub.duplicates.merged(principal),
        message=message,
        notice=request.args.get("notice"),
    ), status


def decide(action: str):
    service = current_hub().duplicates
    act = {
        "merge": service.merge,
        "keep-apart": service.keep_apart,
        "unmerge": service.unmerge,
    }[action]
    first, second = request.form.get("first", ""), request.form.get("second", "")
    try:
        act(current_principal(), first, second)
    except HubError as exc:
        return duplicates_page(exc.message, exc.status)
    notices = {
        "merge": _("Merged into one work."),
        "keep-apart": _("Kept apart: they will not be suggested again."),
        "unmerge": _("Merge undone."),
    }
    return redirect(url_for("web.admin_duplicates", notice=notices[action]))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/duplicates", "admin_duplicates", duplicates_page, methods=["GET"])
    bp.add_url_rule(
        "/admin/duplicates/<any(merge, 'keep-apart', unmerge):action>",
        "admin_duplicates_decide",
        decide,
        methods=["POST"],
    )
