"""A loopback 'national platform' serving the recorded fixtures; tests swap the manifest to simulate
changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.base import SourceConfig
from connectors.national import NationalConnector
from tests.support.outbound import loopback_client
from tests.unit.connectors.national.loopback import serve

FIXTURES = Path(__file__).parents[3] / "fixtures" / "national"
TCH = "/zxx/ndrs/resources/tch_material"


class Platform:
    """Routes the platform's paths to fixture files; `manifest` picks data_version.json or _v2."""

    def __init__(self):
        self.manifest = "data_version.json"
        self.file_status = 200

    def __call__(self, method, path, query, headers):
        if path == f"{TCH}/version/data_version.json":
            return 200, (FIXTURES / self.manifest).read_bytes()
        if path == "/zxx/ndrs/national_lesson/version/data_version.json":
            return 200, (FIXTURES / "lesson_data_version.json").read_bytes()
        name = path.rsplit("/", 1)[-1]
        if path.startswith("/zxx/ndrv2/resources/tch_material/details/"):
            detail = FIXTURES / "details" / name
            return (200, detail.read_bytes()) if detail.exists() else (404, b'{"code":"NOT_FOUND"}')
        if path.startswith("/zxx/ndrs/tags/") and (FIXTURES / name).exists():
            return 200, (FIXTURES / name).read_bytes()
        if path.startswith("/edu_product/"):
            if self.file_status != 200 or "X-ND-AUTH" not in headers:
                return 401, b'{"code":"UNAUTHORIZED"}'
            return 200, b"%PDF-1.4 national"
        if (FIXTURES / name).exists():
            return 200, (FIXTURES / name).read_bytes()
        return 404, b"{}"


@pytest.fixture
def platform():
    platform = Platform()
    with serve(platform) as (url, requests):
        platform.url, platform.requests = url, requests
        yield platform


def make_connector(platform, **options) -> NationalConnector:
    options = {"catalogue_hosts": [platform.url], "file_hosts": [platform.url], **options}
    config = SourceConfig(
        name="national",
        kind="national",
        url=platform.url,
        options=options,
        fetch_files=options.pop("fetch_files", False),
    )
    return NationalConnector(config, loopback_client(timeout=5, retries=0))


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
