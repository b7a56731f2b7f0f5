"""API: make a hub source a school mirror, or change its selection, window and cap (admins)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from hub.api.auth import current_principal, require_user
from hub.http.context import current_hub

blp = Blueprint(
    "mirrors",
    __name__,
    url_prefix="/api/v1",
    description="School mirrors of a parent hub: files fetched at night. 学校镜像。",
)


class MirrorSchema(Schema):
    """Only the settings sent change; the status comes with the source (`GET /sources/{id}`)."""

    filter = fields.List(
        fields.String(),
        metadata={"description": "search filters name=value, e.g. stage=primary, subject=math"},
    )
    window = fields.String(
        metadata={"description": "daily hours to fetch files, e.g. 22:00-06:00; '' for any hour"}
    )
    timezone = fields.String(metadata={"description": "the window's zone, default Asia/Shanghai"})
    rate = fields.String(metadata={"description": "bandwidth cap, e.g. 2MB/s; '0' for none"})


@blp.route("/sources/<int:source_id>/mirror", methods=["PUT"])
@blp.arguments(MirrorSchema)
@blp.doc(summary="Make a hub source a mirror, or change its settings", security=[{"bearer": []}])
def configure_mirror(data, source_id):
    require_user()
    return current_hub().mirrors.configure(current_principal(), source_id, data)
