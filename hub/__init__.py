"""EduHub: a province's shared educational resource hub. `hub.create_app` builds the Flask app.

The factory is loaded on first use, so that importing one module of the package (the sandboxed
child that reads uploaded files, `hub.sandbox`, above all) does not load Flask and the whole
application: that was most of a sandboxed call's second of start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        return importlib.import_module("hub.app").create_app
    raise AttributeError(f"module 'hub' has no attribute {name!r}")
