"""Hubs for bundle tests: `origin` (50 resources), a fresh `target`, and the bundle between them."""

from __future__ import annotations

import pytest

from tests.support.bundles import fill, make_hub


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    root = tmp_path_factory.mktemp("origin")
    hub = make_hub(
        root / "var", public_url="https://res.nx.example.cn", hub_name="宁夏教育资源平台"
    )
    fill(hub, root)
    yield hub
    hub.close()


@pytest.fixture(scope="module")
def bundle(origin, tmp_path_factory):
    path = tmp_path_factory.mktemp("bundle") / "bundle.zip"
    origin.bundle_exporter.export(path)
    return path


@pytest.fixture
def target(tmp_path):
    hub = make_hub(tmp_path / "target")
    yield hub
    hub.close()


@pytest.fixture
def origin_key(origin):
    from hub.bundles import signing

    return signing.public_key_text(signing.hub_private_key(origin.config.data_dir).public_key())
