"""Rating, discussion and related resources on the resource page, the contributor's feedback on
/mine, and the review queue's comments. Plain forms; errors become the error page."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.http.redirects import to_login


def _stars() -> int | None:
    value = request.form.get("stars", "")
    return int(value) if value.isdigit() else None  # the service names the field if it is wrong


def rate(resource_id: str):
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    current_hub().ratings.rate(principal, resource_id, _stars())
    return redirect(url_for("web.resource", resource_id=resource_id) + "#discuss")


def comment(resource_id: str):
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    made = current_hub().comments.post(principal, resource_id, request.form.get("body", ""))
    done = "pending" if made["status"] == "pending" else "posted"
    return redirect(url_for("web.resource", resource_id=resource_id, said=done) + "#discuss")


def report(comment_id: int):
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    current_hub().comments.report(principal, comment_id, request.form.get("reason", ""))
    resource_id = request.form.get("resource", "")
    target = url_for("web.resource", resource_id=resource_id, said="reported")
    return redirect(target + "#discuss" if resource_id else url_for("web.search"))


def moderate(comment_id: int, action: str):
    current_hub().comment_moderation.decide(current_principal(), comment_id, action)
    return redirect(url_for("web.review", comments=action) + "#comments")


def discussion(record: dict) -> dict:
    """The resource page's ratings and comments for whoever is looking."""
    hub, principal = current_hub(), current_principal()
    return {
        "rating": hub.ratings.summary(principal, record["id"]),
        "comments": hub.comments.list(principal, record["id"]),
        "signed_in": principal.is_authenticated,
        "open": record.get("status") == "published",
    }


def feedback_panel() -> dict:
    """A contributor's own resources' ratings and the latest comments on them."""
    hub, principal = current_hub(), current_principal()
    own = hub.resources.list_mine(principal)
    ratings = hub.ratings.for_owner(principal, [r["lineage_id"] for r in own])
    rated = [(r, ratings[r["lineage_id"]]) for r in own if r["lineage_id"] in ratings]
    return {"rated": rated, "comments": hub.comments.on_own_resources(principal)}


def related_for(record: dict) -> dict:
    return current_hub().related.related(current_principal(), record["id"])


def comment_queue() -> list[dict]:
    return current_hub().comment_moderation.queue(current_principal())


def register(bp: Blueprint) -> None:
    bp.add_app_template_global(discussion, "discussion")
    bp.add_app_template_global(feedback_panel, "feedback_panel")
    bp.add_app_template_global(comment_queue, "comment_queue")
    bp.add_app_template_global(related_for, "related_for")
    post = {"methods": ["POST"]}
    bp.add_url_rule("/r/<resource_id>/rate", "rate", rate, **post)
    bp.add_url_rule("/r/<resource_id>/comment", "comment", comment, **post)
    bp.add_url_rule("/comments/<int:comment_id>/report", "comment_report", report, **post)
    bp.add_url_rule(
        "/review/comments/<int:comment_id>/<action>", "comment_moderate", moderate, **post
    )
