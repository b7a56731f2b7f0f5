"""The hub of the app serving this request, as `create_app` stored it."""

from __future__ import annotations

from flask import current_app


def current_hub():
    """The `hub.bootstrap.Hub` this Flask app holds."""
    return current_app.extensions["eduhub"]
