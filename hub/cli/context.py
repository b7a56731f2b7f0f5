"""Gives commands a `Hub` built from the environment by `hub.bootstrap`, with no Flask app."""

from __future__ import annotations

import functools

import click

from config import Config
from hub.bootstrap import bootstrap
from hub.errors import HubError


def pass_hub(fn):
    """Decorator: call `fn(hub, ...)`; domain errors become clean CLI errors."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        hub = bootstrap(Config.from_env())
        try:
            return fn(hub, *args, **kwargs)
        except HubError as exc:
            details = "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in exc.errors)
            raise click.ClickException(exc.message + (f" ({details})" if details else "")) from exc
        finally:
            hub.close()

    return wrapper
