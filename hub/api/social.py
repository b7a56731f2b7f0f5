"""API: ratings (1-5 per teacher) and comments on resources, reports, and their moderation."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from hub.api.auth import current_principal
from hub.api.collections import json_object
from hub.http.context import current_hub

blp = Blueprint(
    "social", __name__, url_prefix="/api/v1", description="Ratings and comments. 评分与评论。"
)
AUTH = [{"bearer": []}]


@blp.route("/resources/<resource_id>/rating", methods=["GET"])
@blp.doc(summary="Average stars, count, and yours: {average, count, mine}")
def get_rating(resource_id):
    return current_hub().ratings.summary(current_principal(), resource_id)


@blp.route("/resources/<resource_id>/rating", methods=["PUT"])
@blp.doc(
    summary="Rate a published resource you may read: {stars: 1-5} (replaces yours)", security=AUTH
)
def put_rating(resource_id):
    return current_hub().ratings.rate(current_principal(), resource_id, json_object().get("stars"))


@blp.route("/resources/<resource_id>/comments", methods=["GET"])
@blp.doc(summary="The comments shown, oldest first (and yours waiting for review)")
def list_comments(resource_id):
    return {"comments": current_hub().comments.list(current_principal(), resource_id)}


@blp.route("/resources/<resource_id>/comments", methods=["POST"])
@blp.doc(
    summary="Comment: {body} (plain text, at most 2000 characters); shown at once or after "
    "review, as the resource's organisation chose",
    security=AUTH,
)
def post_comment(resource_id):
    comment = current_hub().comments.post(
        current_principal(), resource_id, json_object().get("body")
    )
    return comment, 201


@blp.route("/comments/<int:comment_id>/report", methods=["POST"])
@blp.doc(summary="Report a comment to the reviewers: {reason?}", security=AUTH)
def report_comment(comment_id):
    data = request.get_json(silent=True) or {}
    reason = data.get("reason", "") if isinstance(data, dict) else ""
    return current_hub().comments.report(current_principal(), comment_id, reason)


@blp.route("/comments/queue", methods=["GET"])
@blp.doc(summary="Reviewers: comments waiting for review or reported", security=AUTH)
def comment_queue():
    return {"comments": current_hub().comment_moderation.queue(current_principal())}


@blp.route("/comments/<int:comment_id>/actions/<action>", methods=["POST"])
@blp.doc(summary="Reviewers: publish, hide or remove a comment", security=AUTH)
def moderate_comment(comment_id, action):
    return current_hub().comment_moderation.decide(current_principal(), comment_id, action)


@blp.route("/orgs/<code>/comment-policy", methods=["GET"])
@blp.doc(summary="How an organisation's comments are reviewed: {org, moderation: pre|post}")
def get_policy(code):
    return current_hub().comment_moderation.policy(current_principal(), code)


@blp.route("/orgs/<code>/comment-policy", methods=["PUT"])
@blp.doc(summary="Organisation admins: {moderation: pre|post}", security=AUTH)
def put_policy(code):
    moderation = json_object().get("moderation")
    return current_hub().comment_moderation.set_policy(current_principal(), code, moderation)
