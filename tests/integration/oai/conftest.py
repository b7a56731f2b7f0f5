"""Fixtures for the OAI-PMH provider: published records, schema validation and a loopback HTTP
server."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import etree
from werkzeug.serving import make_server

from tests.resource_factories import make_world, publish

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
}
SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(scope="session")
def oai_schema():
    """OAI-PMH.xsd plus the oai_dc and LOM schemas its strict `metadata` wildcard demands."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "all.xsd")))


@pytest.fixture
def oai(client, oai_schema):
    """GET /oai with arguments; returns the parsed document after checking it against the schema."""

    def call(method: str = "GET", **args):
        response = (
            client.get("/oai", query_string=args)
            if method == "GET"
            else client.post("/oai", data=args)
        )
        assert response.status_code == 200
        assert response.mimetype == "text/xml"
        document = etree.fromstring(response.data)
        oai_schema.assertValid(document)
        return document

    return call


@pytest.fixture
def world(hub):
    return make_world(hub)


@pytest.fixture
def published(hub, world):
    """Three published records (two maths, one physics) and a draft that must never show."""
    records = [
        publish(hub, world, title="有理数的加法"),
        publish(hub, world, title="有理数的减法", keywords=["减法"]),
        publish(hub, world, title="力与运动", subjects=["physics"], grades=["g8"]),
    ]
    hub.resources.create(
        world.contributor, {"title": "草稿", "stage": "junior", "subjects": ["math"]}
    )
    return records


@pytest.fixture
def live_server(app):
    """The app on a loopback port, for third-party clients that speak real HTTP."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def errors(document) -> list[str]:
    return [e.get("code") for e in document.findall("o:error", NS)]


def identifiers(document) -> list[str]:
    return [e.text for e in document.iterfind(".//o:header/o:identifier", NS)]
