"""Gives commands a `Hub` built from the environment, inside an application context."""

from __future__ import annotations

import functools

import click


def make_app():
    from hub import create_app

    return create_app()


def pass_hub(fn):
    """Decorator: call `fn(hub, ...)` inside an app context; domain errors become clean CLI errors."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from hub.errors import HubError

        app = make_app()
        with app.app_context():
            hub = app.extensions["eduhub"]
            try:
                return fn(hub, *args, **kwargs)
            except HubError as exc:
                details = "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in exc.errors)
                raise click.ClickException(exc.message + (f" ({details})" if details else ""))
            finally:
                hub.close()

    return wrapper
