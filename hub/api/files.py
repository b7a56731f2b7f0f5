"""API: files of a resource -- streamed upload (raw body or multipart), download with Range,
removal."""

from __future__ import annotations

from flask import redirect, request
from flask_smorest import Blueprint

from hub.api.auth import current_principal, require_user
from hub.api.download import send_download
from hub.errors import InvalidInput
from hub.http.context import current_hub
from hub.http.usage import record_usage

blp = Blueprint(
    "files", __name__, url_prefix="/api/v1", description="Files of a resource. 资源文件。"
)


def _content_length() -> int | None:
    value = request.headers.get("Content-Length")
    if value is None:
        return None
    try:
        length = int(value)
    except ValueError:
        raise InvalidInput("Content-Length 无效。Invalid Content-Length header.") from None
    if length < 0:
        raise InvalidInput("Content-Length 无效。Invalid Content-Length header.")
    return length


@blp.route("/resources/<resource_id>/files/<path:name>", methods=["PUT"])
@blp.doc(
    summary="Upload one file as the raw body (streamed); optional Digest: sha-256=BASE64",
    security=[{"bearer": []}],
    requestBody={
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    },
)
@blp.alt_response(201, description="{name, size, sha256, mimetype}")
def put_file(resource_id, name):
    hub = current_hub()
    stored = hub.files.upload(
        current_principal(),
        resource_id,
        name,
        request.stream,
        content_length=_content_length(),
        digest=request.headers.get("Digest"),
    )
    record_usage("upload", resource_id, stored["name"])
    return stored, 201


@blp.route("/resources/<resource_id>/files", methods=["POST"])
@blp.doc(
    summary="Upload one or more files as multipart/form-data (field `file`), for browsers",
    security=[{"bearer": []}],
    requestBody={
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        }
    },
)
@blp.alt_response(201, description="{files: [...]}")
def post_files(resource_id):
    hub = current_hub()
    # Who, may they, and how much: all before the multipart body is parsed (and spooled to disk).
    principal = require_user()
    hub.files.check_length(_content_length())
    hub.files.check_can_upload(principal, resource_id)
    uploads = [f for f in request.files.getlist("file") if f and f.filename]
    if not uploads:
        raise InvalidInput(
            "请在表单字段 file 中附上文件。Attach the file in the form field named `file`."
        )
    stored = [
        hub.files.upload(principal, resource_id, f.filename, f.stream, content_length=None)
        for f in uploads
    ]
    [record_usage("upload", resource_id, f["name"]) for f in stored]
    return {"files": stored}, 201


@blp.route("/resources/<resource_id>/files/<path:name>", methods=["GET"])
@blp.doc(
    summary="Download: Range gives 206, ETag is the SHA-256; on S3 a 302 to a presigned URL",
    responses={
        "200": {"description": "the file"},
        "206": {"description": "part of the file"},
        "302": {"description": "presigned URL"},
        "304": {"description": "not modified"},
    },
)
def get_file(resource_id, name):
    principal = current_principal()
    download = current_hub().files.open_download(principal, resource_id, name)
    if download.kind == "redirect":
        response = redirect(download.url, 302)
        response.headers["Cache-Control"] = "no-store"
    else:
        response = send_download(download)
    if _begins_a_download(response):
        current_hub().files.note_download(principal, resource_id, download)
    return record_usage("download", resource_id, download.name, response)


def _begins_a_download(response) -> bool:
    """A GET that sends the file from its start: a resumed download's later ranges, a HEAD and a
    304 are not another download."""
    if request.method != "GET" or response.status_code not in (200, 206, 302):
        return False
    return response.status_code != 206 or response.headers["Content-Range"].startswith("bytes 0-")


@blp.route("/resources/<resource_id>/files/<path:name>", methods=["DELETE"])
@blp.doc(summary="Remove a file from a draft", security=[{"bearer": []}])
@blp.alt_response(204, description="Removed")
def delete_file(resource_id, name):
    current_hub().files.delete(current_principal(), resource_id, name)
    return "", 204
