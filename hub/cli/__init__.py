"""The `eduhub` command line. Each module adds its commands to `main`."""

from __future__ import annotations

import importlib

import click

from hub.cli.context import pass_hub  # noqa: F401  (re-exported for command modules)

COMMAND_MODULES = (
    "hub.cli.serve",  # serve
    "hub.cli.db",  # db upgrade
    "hub.cli.accounts",  # orgs, users, tokens
    "hub.cli.register",  # orgs import|export, users import
    "hub.cli.resources",  # import, seed-demo
    "hub.cli.ops",  # check, backup, restore
    "hub.cli.sources",  # sources, sync, worker, beat
    "hub.cli.search",  # search rebuild, search reconcile
    "hub.cli.stats",  # stats refresh
    "hub.cli.bundles",  # bundle export, bundle import, bundle key
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="eduhub")
def main():
    """EduHub: shared educational resource hub. 教育资源共享枢纽。

    Configuration comes from EDUHUB_* environment variables (see README.md).
    """


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(main)
