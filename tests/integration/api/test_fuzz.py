"""Fuzz the API from its own OpenAPI document: whatever a client sends, the hub never answers
5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config import Config
from hub import create_app
from hub.db import Base
from tests.factories import make_org, make_token, make_user


def _app(tmp_dir):
    config = Config.from_env(
        data_dir=tmp_dir,
        database_url=f"sqlite:///{tmp_dir}/hub.db",
        storage_url=f"file://{tmp_dir}/objects",
        search_url=f"tantivy://{tmp_dir}/index",
        broker_url=f"filesystem://{tmp_dir}/broker",
        secret_key="fuzz",
        testing=True,
    )
    app = create_app(config)
    hub = app.extensions["eduhub"]
    Base.metadata.create_all(hub.db.engine)
    make_org(hub, code="fuzz-school", kind="school", region="640104")
    make_user(hub, email="fuzz@example.cn", org="fuzz-school", role="contributor", admin=True)
    app.config["FUZZ_TOKEN"] = make_token(hub, "fuzz@example.cn")
    return app


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    return _app(tmp_path_factory.mktemp("fuzz"))


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_produces_a_server_error(case, fuzz_app):
    case.headers = {
        **(case.headers or {}),
        "Authorization": f"Bearer {fuzz_app.config['FUZZ_TOKEN']}",
    }
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
