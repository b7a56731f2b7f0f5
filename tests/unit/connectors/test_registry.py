"""One registry of source kinds: what the service accepts, the CLI offers and the API documents."""

from __future__ import annotations

import click
import pytest

from connectors import CONNECTORS, kinds, register
from hub.api.sources import SourceInputSchema
from hub.cli.sources import sources
from hub.errors import ValidationFailed
from hub.harvest.sources import SourceService


def test_the_built_in_kinds_come_first_then_the_sites_own(monkeypatch):
    monkeypatch.setenv("EDUHUB_CONNECTORS", "site=site_plugins.harvest:SiteConnector")
    assert kinds()[:3] == ("oaipmh", "hub", "national")
    assert kinds()[-1] == "site"


def test_a_registered_kind_is_accepted_and_an_unknown_one_refused(monkeypatch):
    monkeypatch.setattr("connectors.CONNECTORS", dict(CONNECTORS))
    register("plugin", "tests.support.fake_source:FakeConnector")
    SourceService._validate("ok", "plugin", "https://oai.example.cn/oai", None)
    with pytest.raises(ValidationFailed) as refused:
        SourceService._validate("ok", "gopher", "https://oai.example.cn/oai", None)
    assert "plugin" in refused.value.errors[0]["messages"][0]


def test_the_cli_and_the_api_offer_the_registry_s_kinds():
    add = sources.commands["add"]
    kind_option = next(p for p in add.params if p.name == "kind")
    assert isinstance(kind_option.type, click.Choice)
    # The kinds known when the CLI and the schema were imported: the built-in ones (other tests
    # register fakes into the registry later, which an already-built option cannot know).
    built_in = {"oaipmh", "hub", "national"}
    assert built_in <= set(CONNECTORS)
    assert built_in <= set(kind_option.type.choices)
    assert built_in <= set(SourceInputSchema().fields["kind"].metadata["enum"])
