"""Reviewer pages: the queue of submissions, publish or return each with a comment."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.errors import HubError
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.http.redirects import to_login
from hub.http.usage import record_usage

DECISIONS = {"publish": _l("Published."), "reject": _l("Returned to the contributor.")}


def _queue_page(message=None, notice=None, status=200):
    items = current_hub().review.queue(current_principal())
    return render_template("review.html", items=items, message=message, notice=notice), status


def review():
    if not current_principal().is_authenticated:
        return to_login()
    notice = DECISIONS.get(request.args.get("done", ""))
    return _queue_page(notice=notice)


def decide(resource_id: str, action: str):
    if action not in DECISIONS:
        return _queue_page(_("Unknown action."), status=404)
    try:
        current_hub().resources.act(
            current_principal(), resource_id, action, comment=request.form.get("comment")
        )
        record_usage(action, resource_id)  # counts `publish`; a rejection is not usage
    except HubError as exc:
        return _queue_page(exc.message, status=exc.status)
    return redirect(url_for("web.review", done=action))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/review", "review", review, methods=["GET"])
    bp.add_url_rule("/review/<resource_id>/<action>", "decide", decide, methods=["POST"])
