"""API: resumable uploads -- start a session, send chunks at offsets, ask where to resume."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, jsonify, request
from flask_smorest import Blueprint

from hub.api.auth import current_principal
from hub.api.errors import envelope
from hub.errors import InvalidInput
from hub.http.context import current_hub
from hub.services.uploads import OffsetMismatch

blp = Blueprint(
    "uploads",
    __name__,
    url_prefix="/api/v1",
    description=(
        "Resumable uploads for weak links. 断点续传。 "
        "1) POST /resources/{id}/uploads {name, size, sha256?} "
        "-> 201 {upload_id, offset: 0, chunk_size}. "
        "2) PATCH /uploads/{upload_id} with `Upload-Offset: N` and the raw bytes "
        "(at most chunk_size) -> 204 with the new `Upload-Offset`; "
        "a wrong N gives 409 with the hub's offset (header and body) so the client resumes there. "
        "3) HEAD /uploads/{upload_id} -> `Upload-Offset` and `Upload-Length`. "
        "The chunk that completes the file is answered 201 with {name, size, sha256, mimetype} "
        "once the file is checked (sha256 if given, type) and attached. "
        "A session ends 24 h after its last chunk. "
        "A 503 (the hub's disk full, the store or database down) keeps every confirmed byte: "
        "wait `Retry-After`, ask HEAD for the offset and go on from there; if the bytes were all "
        "stored but the file could not be attached, an empty PATCH at the final offset attaches it."
    ),
)

OFFSET = "Upload-Offset"


class StartSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=255))
    size = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1))
    sha256 = ma.fields.String(load_default=None, allow_none=True)


def _service():
    return current_hub().uploads


def _header_int(name: str, required: bool) -> int | None:
    value = request.headers.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"请提供 {name} 头。Send the {name} header.")
        return None
    if not value.strip().isdigit():
        raise InvalidInput(f"{name} 应为非负整数。{name} must be a non-negative integer.")
    return int(value)


def _with_offset(response, state):
    response.headers[OFFSET] = str(state.offset)
    response.headers["Upload-Length"] = str(state.size)
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/resources/<resource_id>/uploads", methods=["POST"])
@blp.arguments(StartSchema)
@blp.doc(summary="Start a resumable upload of one file", security=[{"bearer": []}])
@blp.alt_response(201, description="{upload_id, name, size, offset, chunk_size, complete}")
def start(data, resource_id):
    state = _service().start(current_principal(), resource_id, **data)
    return state.to_dict(), 201, {"Location": f"/api/v1/uploads/{state.upload_id}", OFFSET: "0"}


@blp.route("/uploads/<upload_id>", methods=["PATCH"])
@blp.doc(
    summary="Send the next chunk: header Upload-Offset, raw body",
    security=[{"bearer": []}],
    parameters=[{"in": "header", "name": OFFSET, "required": True, "schema": {"type": "integer"}}],
    requestBody={
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    },
    responses={
        "204": {"description": "chunk stored; Upload-Offset is the new offset"},
        "201": {"description": "last chunk: the attached file {name, size, sha256, mimetype}"},
        "409": {
            "description": "wrong offset; Upload-Offset (and `offset` in the body) "
            "says where to resume"
        },
        "503": {
            "description": "disk full or a backend down: nothing past the confirmed offset was "
            "kept; retry after Retry-After from the offset HEAD reports"
        },
    },
)
def append(upload_id):
    offset = _header_int(OFFSET, required=True)
    length = _header_int("Content-Length", required=False)
    try:
        state = _service().append(
            current_principal(), upload_id, offset, request.stream, length=length
        )
    except OffsetMismatch as exc:
        response = envelope(exc.status, exc.message, offset=exc.offset)
        response.headers[OFFSET] = str(exc.offset)
        return response
    if state.complete:
        return _with_offset(_json(state.file, 201), state)
    return _with_offset(Response(status=204), state)


@blp.route("/uploads/<upload_id>", methods=["GET"])
@blp.doc(
    summary="Where to resume: Upload-Offset header (HEAD) or {offset, size, complete} (GET)",
    security=[{"bearer": []}],
)
@blp.alt_response(200, description="{upload_id, name, size, offset, chunk_size, complete}")
def status(upload_id):
    state = _service().status(current_principal(), upload_id)
    return _with_offset(_json(state.to_dict(), 200), state)


def _json(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    return response
