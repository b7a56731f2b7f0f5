"""Web pages for reading: search, one resource, and the contributor's own list."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request

from hub.errors import ValidationFailed
from hub.http import cache
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.http.redirects import to_login
from hub.http.usage import record_usage
from hub.web import (
    admin_bundle_views,
    admin_duplicate_views,
    admin_register_views,
    admin_views,
    auth_views,
    bundle_views,
    collection_views,
    insight_views,
    password_views,
    review_views,
    searchform,
    social_views,
    upload_views,
)
from hub.web.resource_page import page_context


def create_blueprint() -> Blueprint:
    """A fresh blueprint per app (tests make many apps; a blueprint's setup cannot change once
    registered)."""

    bp = Blueprint(
        "web",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/assets",
    )
    bp.app_context_processor(lambda: {"principal": current_principal()})
    bp.add_url_rule("/", "search", search)
    bp.add_url_rule("/r/<resource_id>", "resource", resource)
    bp.add_url_rule("/mine", "mine", mine)
    auth_views.register(bp)

    upload_views.register(bp)
    review_views.register(bp)
    admin_views.register(bp)
    insight_views.register(bp)
    bundle_views.register(bp)
    admin_bundle_views.register(bp)
    password_views.register(bp)
    admin_register_views.register(bp)
    admin_duplicate_views.register(bp)
    collection_views.register(bp)
    social_views.register(bp)
    return bp


def search():
    form = searchform.SearchForm.from_args(request.args)
    error, result = None, {"hits": [], "total": 0, "aggregations": {}}
    try:
        result = current_hub().search.search(
            current_principal(),
            q=form.q,
            filters=form.filters,
            sort=form.sort,
            page=form.page,
            size=searchform.PAGE_SIZE,
            facets=form.facets_to_count(),
        )
    except ValidationFailed as exc:  # e.g. an unknown organisation code in a shared link
        error = exc
    if form.q or form.filters:  # the bare home page is not a search
        record_usage("search")
    facets = [
        (name, result["aggregations"][name])
        for name in searchform.FACET_ORDER
        if result["aggregations"].get(name)
    ]
    return render_template(
        "search.html",
        form=form,
        result=result,
        facets=facets,
        error=error,
        pages=searchform.pages(form.page, result["total"]),
        sf=searchform,
    )


def resource(resource_id: str):

    context = page_context(resource_id)
    response = make_response(render_template("resource.html", **context))
    response.headers["Cache-Control"] = resource_cache_control(context["record"])
    return record_usage("view", resource_id, None, response)


def resource_cache_control(record: dict) -> str:
    """A published public record seen by an anonymous visitor may be kept briefly; any other page
    is personal (it names the user and carries their form tokens) or not public: never stored."""
    public = record.get("visibility") == "public" and record.get("status") == "published"
    if public and not current_principal().is_authenticated:
        return cache.PUBLIC_PAGE
    return cache.PRIVATE


def mine():
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    records = current_hub().resources.list_mine(principal)
    usage = current_hub().stats.own_usage(principal)
    bundles = current_hub().bundles.list_mine(principal)
    return render_template("mine.html", records=records, usage=usage, bundles=bundles)
