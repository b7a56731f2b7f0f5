"""Gives commands a `Hub` built from the environment by `hub.bootstrap`, with no Flask app."""

from __future__ import annotations

import functools

import click

from config import Config
from hub.bootstrap import bootstrap
from hub.errors import HubError, StorageFull
from hub.storage.space import is_disk_full


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
        except Exception as exc:
            if is_disk_full(exc):  # a full disk is the admin's to fix, not a bug to report
                raise click.ClickException(StorageFull.MESSAGE) from exc
            raise
        finally:
            hub.close()

    return wrapper
