"""The one-line hook a view calls to record a usage event from the current request."""

from __future__ import annotations

from flask import request

from hub.http.context import current_hub
from hub.http.principal import current_principal


def record_usage(kind: str, resource_id=None, file_name=None, response=None):
    """Record `kind` unless the request is a HEAD, a 304 or an error; gives `response` back."""
    status = getattr(response, "status_code", 200)
    if request.method == "HEAD" or status == 304 or status >= 400:
        return response
    principal = current_principal()
    current_hub().usage.record(
        kind,
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
        user_id=principal.user_id,
        resource_id=resource_id,
        file_name=file_name,
    )
    return response
