"""Connector registry: a source kind names the module and class that harvest it."""

from __future__ import annotations

import os
from importlib import import_module

from connectors.base import Connector, HttpClient, SourceConfig
from connectors.outbound import OutboundPolicy

# kind -> "module:Class"; a new source kind is one module and one line here.
CONNECTORS: dict[str, str] = {
    "oaipmh": "connectors.oaipmh:OaiPmhConnector",
    "hub": "connectors.hub:HubConnector",
    "national": "connectors.national:NationalConnector",
}


def _from_environment() -> dict[str, str]:
    """Extra kinds from EDUHUB_CONNECTORS="kind=module:Class,..." (site plugins, test fakes)."""
    pairs = (
        item.split("=", 1)
        for item in os.environ.get("EDUHUB_CONNECTORS", "").split(",")
        if "=" in item
    )
    return {kind.strip(): dotted.strip() for kind, dotted in pairs}


def kinds() -> tuple[str, ...]:
    """Every source kind a source may name: the built-in ones, then the site's own."""
    return tuple(dict.fromkeys([*CONNECTORS, *_from_environment()]))


def connector_class(kind: str) -> type[Connector]:
    """The class registered for `kind`; KeyError for an unknown kind."""
    dotted = CONNECTORS.get(kind) or _from_environment()[kind]
    module_name, _, class_name = dotted.partition(":")
    return getattr(import_module(module_name), class_name)


def register(kind: str, dotted: str) -> None:
    """Add or replace a kind (tests register fakes this way)."""
    CONNECTORS[kind] = dotted


def policy_for(config: SourceConfig) -> OutboundPolicy:
    """One source's outbound policy: origin, its kind's file hosts, the operator's allow-list."""
    file_origins = [
        *connector_class(config.kind).file_origins(config),
        *(config.options.get("file_origins") or ()),
    ]
    return OutboundPolicy.for_source(
        config.url, file_origins=file_origins, allow_private_host=config.allow_private_host
    )


def connector_for(config: SourceConfig, http: HttpClient | None = None) -> Connector:
    """A ready connector for one source's configuration."""
    return connector_class(config.kind)(config, http or HttpClient(policy=policy_for(config)))
