"""Offline bundle pages: a search's size, its build queued from a plain form, its status and ZIP."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from hub.bundles.jobs import BundleJobService
from hub.bundles.selection import FILTERS
from hub.errors import HubError
from hub.http import cache
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.http.redirects import to_login
from hub.web import searchform

ACTIVE = ("queued", "running")
BUNDLE_PARAMS = ("q", *FILTERS)  # the search's licence filter is not a bundle filter
STATUS_LABELS = {
    "queued": _l("Waiting for a worker"),
    "running": _l("Being built"),
    "succeeded": _l("Ready"),
    "failed": _l("Failed"),
    "expired": _l("Expired"),
}


def _service() -> BundleJobService:
    return current_hub().bundles


def bundle_query(values) -> dict:
    """The bundle's filters from a search's parameters (args or form): q and the bundle filters."""
    query: dict = {name: values.getlist(name) for name in FILTERS if values.getlist(name)}
    if values.get("q", "").strip():
        query["q"] = values.get("q", "").strip()[:200]
    return query


def new_bundle():
    """Without JS: the search's size and a button to build it (the search page links here)."""
    principal = current_principal()
    form = searchform.SearchForm.from_args(request.args)
    size, error, status = None, None, 200
    try:
        size = _service().estimate(principal, bundle_query(request.args))
    except HubError as exc:
        error, status = exc.message, exc.status
    page = render_template("bundle_new.html", form=form, size=size, error=error)
    return page, status, {"Cache-Control": cache.PRIVATE}


def create_bundle():
    principal = current_principal()
    if not principal.is_authenticated:
        return redirect(
            url_for("web.login", next=url_for("web.bundle_new", **bundle_query(request.form)))
        )
    try:
        job = _service().request(principal, bundle_query(request.form))
    except HubError as exc:
        form = searchform.SearchForm.from_args(request.form)
        return render_template(
            "bundle_new.html", form=form, size=None, error=exc.message
        ), exc.status
    return redirect(url_for("web.bundle_status", job_id=job["id"]))


def bundle_status(job_id: str):
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    job = _service().status(principal, job_id)
    page = render_template("bundle_status.html", job=job, active=job["status"] in ACTIVE)
    return page, 200, {"Cache-Control": cache.PRIVATE}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def query_label(query: dict) -> str:
    """A job's search in a line: the words, then each filter's codes."""
    parts = [f"“{query['q']}”"] if query.get("q") else []
    parts += [f"{searchform.facet_title(k)}: {', '.join(v)}" for k, v in query.items() if k != "q"]
    return " · ".join(parts) or str(_l("All resources"))


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(status_label, "bundle_status")
    bp.add_app_template_filter(query_label, "bundle_query")
    bp.app_context_processor(lambda: {"bundle_params": BUNDLE_PARAMS})
    bp.add_url_rule("/bundles/new", "bundle_new", new_bundle, methods=["GET"])
    bp.add_url_rule("/bundles", "bundle_create", create_bundle, methods=["POST"])
    bp.add_url_rule("/bundles/<job_id>", "bundle_status", bundle_status, methods=["GET"])
