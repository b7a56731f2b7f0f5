"""Request bodies are limited before anything reads them: a small limit for forms and JSON, the
upload limit for the endpoints that take files. Chunked bodies are counted while they stream."""

from __future__ import annotations

from flask import Flask, current_app, request

from hub.errors import PayloadTooLarge

# The only endpoints that take files; every other body is a form or a JSON document.
UPLOAD_ENDPOINTS = frozenset(
    {
        "files.put_file",
        "files.post_files",
        "uploads.append",
        "web.upload_files_post",
        "web.admin_bundle_upload",
        "web.admin_register_upload",
    }
)
# Raw bodies the file service reads itself: it counts while it streams and answers 413 itself.
STREAMED = frozenset({"files.put_file", "uploads.append"})

FORM_TOO_LARGE = (
    "请求内容超过大小限制（{kb} KB）。"
    "The request body is larger than the {kb} KB allowed for forms; "
    "upload files through the upload page or the files API."
)
UPLOAD_TOO_LARGE = (
    "上传的内容超过大小限制（{mb} MB）。"
    "The upload is larger than the {mb} MB limit; split it or ask the "
    "operator to raise EDUHUB_MAX_UPLOAD_MB."
)


def is_upload() -> bool:
    return request.endpoint in UPLOAD_ENDPOINTS


def limit_body() -> None:
    """Set this request's limit (Werkzeug enforces it on the stream, chunked included) and refuse a
    declared length over it at once, before a byte of the body is read."""
    config = current_app.extensions["eduhub"].config
    upload = is_upload()
    limit = config.max_upload_bytes if upload else config.max_form_bytes
    # Werkzeug stops a stream past the limit; one byte of slack lets the file service see the
    # excess first on raw uploads (it reads one byte past its limit) and answer 413 in its words.
    request.max_content_length = limit + 1 if request.endpoint in STREAMED else limit
    request.max_form_memory_size = min(limit, config.max_form_bytes)
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(
            UPLOAD_TOO_LARGE.format(mb=config.max_upload_mb)
            if upload
            else FORM_TOO_LARGE.format(kb=config.max_form_kb)
        )


def init_app(app: Flask) -> None:
    app.before_request(limit_body)
