"""API: what the resource page plays and shows -- a video's 360p rendition and poster, an office
file's PDF -- with Range, under the same visibility rule as the file itself."""

from __future__ import annotations

from flask import redirect
from flask_smorest import Blueprint

from hub.api.download import send_download
from hub.http.context import current_hub
from hub.http.principal import current_principal

blp = Blueprint(
    "renditions",
    __name__,
    url_prefix="/api/v1",
    description="Renditions for the page: 360p video, PDF, poster. 在线播放与阅读版本。",
)

RESPONSES = {
    "200": {"description": "the rendition"},
    "206": {"description": "part of it (Range)"},
    "302": {"description": "presigned URL (S3 storage)"},
    "304": {"description": "not modified"},
    "404": {"description": "no such file, or no rendition of it (yet)"},
}


@blp.route("/resources/<resource_id>/renditions/<path:name>", methods=["GET"])
@blp.doc(
    summary="A file's rendition for the page: the 360p H.264/AAC MP4 of a video (faststart), or "
    "the PDF of a DOCX/PPTX; Range gives 206, ETag is its SHA-256",
    responses=RESPONSES,
)
def get_rendition(resource_id, name):
    return _send(resource_id, name, "rendition")


@blp.route("/resources/<resource_id>/posters/<path:name>", methods=["GET"])
@blp.doc(summary="A video's poster frame (PNG)", responses=RESPONSES)
def get_poster(resource_id, name):
    return _send(resource_id, name, "poster")


def _send(resource_id: str, name: str, which: str):
    found = current_hub().renditions.open(current_principal(), resource_id, name, which)
    if found.kind == "redirect":
        response = redirect(found.url, 302)
        response.headers["Cache-Control"] = "no-store"
        return response
    return send_download(found, inline=True)
