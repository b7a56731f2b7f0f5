"""API: the preview image of a resource (first PDF page, image, first slide picture), for pages and
hits."""

from __future__ import annotations

import logging

from flask import Response, request
from flask_smorest import Blueprint

from hub.errors import NotFound
from hub.http import cache
from hub.http.context import current_hub
from hub.http.principal import current_principal

blp = Blueprint("previews", __name__, url_prefix="/api/v1", description="Preview images. 预览图。")

NO_PREVIEW = "该资源暂无预览图。This resource has no preview image (yet)."


@blp.route("/resources/<resource_id>/preview", methods=["GET"])
@blp.doc(
    summary="The resource's preview image (PNG); 404 when it has none",
    responses={
        "200": {"description": "image/png"},
        "304": {"description": "not modified"},
        "422": {"description": "a limit stopped the preview (file too large or too complex)"},
    },
)
def get_preview(resource_id):

    found = current_hub().previews.of_resource(current_principal(), resource_id)
    if found is None:
        raise NotFound(NO_PREVIEW)
    body, preview, public = found
    # The URL names the resource, not the image: a new file may change it, so revalidate by ETag
    # once a day. A private preview is never stored: on a shared school PC the next pupil would see
    # it.
    headers = {
        "ETag": f'"{preview.preview_sha256}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, max-age=86400" if public else cache.PRIVATE,
    }
    if preview.preview_sha256 in (request.headers.get("If-None-Match") or ""):
        return Response(status=304, headers=headers)
    return Response(body, headers=headers, mimetype="image/png")


@blp.app_template_global()
def preview_failure(resource_id: str) -> str | None:
    """Why a resource page shows no preview: size, time, cpu, memory or killed; else None."""
    return current_hub().previews.failure(resource_id)


@blp.app_template_global()
def preview_map(hits) -> dict:
    """resource id -> preview row, for a page of search hits (one query)."""

    try:
        return current_hub().previews.by_resource([h["id"] for h in hits or []])
    except Exception:  # thumbnails are decoration: a failure here must not break search
        logging.getLogger(__name__).warning("preview lookup failed", exc_info=True)
        return {}
