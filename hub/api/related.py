"""API: related resources of one resource, as the viewer may read them."""

from __future__ import annotations

from flask_smorest import Blueprint

from hub.api.auth import current_principal
from hub.http.context import current_hub

blp = Blueprint(
    "related", __name__, url_prefix="/api/v1", description="Related resources. 相关资源。"
)


@blp.route("/resources/<resource_id>/related", methods=["GET"])
@blp.doc(
    summary="Related resources: {editions (same chapter, other editions), lesson (other types "
    "for the same lesson), also_downloaded, basis: downloads|collections|null}"
)
def get_related(resource_id):
    return current_hub().related.related(current_principal(), resource_id)
