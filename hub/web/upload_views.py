"""Contributor pages: describe a resource, add its files (resumable with JS, plain multipart
without), submit it."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub.errors import HubError, ValidationFailed
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.http.redirects import to_login
from hub.http.usage import record_usage

SINGLE = ("stage", "edition", "volume", "type", "license", "visibility", "region")
MULTIPLE = ("subjects", "grades", "majors", "themes")
TEXT = ("title", "description", "chapter")


def form_to_record(form) -> dict:
    """The submitted form as ResourceInputSchema input: empty choices left out, keywords split on
    commas."""
    data: dict = {name: form.get(name, "").strip() for name in TEXT}
    data = {k: v for k, v in data.items() if v or k == "title"}
    for name in SINGLE:
        if form.get(name):
            data[name] = form.get(name)
    for name in MULTIPLE:
        data[name] = form.getlist(name)
    keywords = form.get("keywords", "").replace("，", ",").split(",")
    data["keywords"] = list(dict.fromkeys(k.strip() for k in keywords if k.strip()))
    if form.get("org"):
        data["org"] = form.get("org")
    return data


def _field_errors(exc: HubError) -> dict:
    return {e["field"]: e["messages"] for e in exc.errors}


def _describe_page(principal, values, errors=None, message=None, status=200):
    page = render_template(
        "upload.html",
        values=values,
        errors=errors or {},
        message=message,
        orgs=current_hub().accounts.editor_orgs(principal),
        vocab=current_hub().vocabularies,
    )
    return page, status


def upload_form():
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    return _describe_page(principal, {"license": "CC-BY-4.0", "visibility": "public"})


def upload_create():
    principal = current_principal()
    if not principal.is_authenticated:
        return to_login()
    data = form_to_record(request.form)
    try:
        record = current_hub().resources.create(principal, data)
    except HubError as exc:
        values = {**request.form.to_dict(), **{k: request.form.getlist(k) for k in MULTIPLE}}
        return _describe_page(principal, values, _field_errors(exc), exc.message, exc.status)
    return redirect(url_for("web.upload_files", resource_id=record["id"]))


def _files_page(resource_id, message=None, status=200, errors=None):
    record = current_hub().resources.get(current_principal(), resource_id)
    return render_template(
        "upload_files.html", record=record, message=message, errors=errors or {}
    ), status


def upload_files(resource_id):
    if not current_principal().is_authenticated:
        return to_login()
    return _files_page(resource_id)


def upload_files_post(resource_id):
    """Without JavaScript: the same files, as one multipart form."""
    principal = current_principal()
    hub = current_hub()
    uploads = [f for f in request.files.getlist("file") if f and f.filename]
    if not uploads:
        return _files_page(resource_id, _("Choose a file to upload."), 400)
    try:
        for f in uploads:
            hub.files.upload(principal, resource_id, f.filename, f.stream, content_length=None)
            record_usage("upload", resource_id, f.filename)
    except HubError as exc:
        return _files_page(resource_id, exc.message, exc.status)
    return redirect(url_for("web.upload_files", resource_id=resource_id))


def submit(resource_id):
    try:
        current_hub().resources.act(current_principal(), resource_id, "submit")
    except ValidationFailed as exc:
        return _files_page(resource_id, exc.message, exc.status, _field_errors(exc))
    except HubError as exc:
        return _files_page(resource_id, exc.message, exc.status)
    return redirect(url_for("web.mine"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/upload", "upload", upload_form, methods=["GET"])
    bp.add_url_rule("/upload", "upload_create", upload_create, methods=["POST"])
    bp.add_url_rule("/upload/<resource_id>", "upload_files", upload_files, methods=["GET"])
    bp.add_url_rule(
        "/upload/<resource_id>/files", "upload_files_post", upload_files_post, methods=["POST"]
    )
    bp.add_url_rule("/upload/<resource_id>/submit", "submit", submit, methods=["POST"])
