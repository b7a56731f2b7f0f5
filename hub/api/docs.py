"""/api/docs: the OpenAPI document rendered as a plain page by the hub itself (no CDN, no
script)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("apidocs", __name__, template_folder="templates")
METHODS = ("get", "post", "put", "patch", "delete", "head")


@bp.get("/api/docs")
def api_docs():
    spec = current_app.extensions["eduhub_api"].spec.to_dict()
    return render_template("api_docs.html", info=spec.get("info", {}), groups=_groups(spec))


def _groups(spec: dict) -> list[tuple[str, list[dict]]]:
    """Operations grouped by tag, in the order of the document."""
    groups: dict[str, list[dict]] = {}
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary")
                    or operation.get("description", "").split("\n")[0],
                    "parameters": [_parameter(p) for p in shared + operation.get("parameters", [])],
                    "body": _body_types(operation.get("requestBody")),
                    "responses": sorted(operation.get("responses", {})),
                    "auth": bool(operation.get("security")),
                }
            )
    return list(groups.items())


def _parameter(parameter: dict) -> dict:
    schema = parameter.get("schema", {})
    kind = schema.get("type") or schema.get("$ref", "").rsplit("/", 1)[-1]
    return {
        "name": parameter.get("name"),
        "in": parameter.get("in"),
        "type": kind,
        "required": parameter.get("required", False),
        "description": parameter.get("description", ""),
    }


def _body_types(body: dict | None) -> list[str]:
    return sorted((body or {}).get("content", {}))
