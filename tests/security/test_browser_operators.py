"""/readyz and /metrics tell operators what anonymous visitors must not see (issue 9, accounts)."""

from __future__ import annotations

import pytest
import requests

from tests.support.browser import login, threaded_site

SECRET = "postgresql://hub:s3cret@10.0.0.5/hub refused"
METRICS_TOKEN = "scrape-me-please-0123456789"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("operators")
    with threaded_site(root / "var", metrics_token=METRICS_TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def tokenless(tmp_path_factory):
    with threaded_site(tmp_path_factory.mktemp("tokenless") / "var") as running:
        yield running


@pytest.fixture
def broken_storage(site):
    storage = site.app.extensions["eduhub"].storage

    def check_ready():
        raise RuntimeError(SECRET)

    storage.check_ready = check_ready
    yield
    del storage.check_ready


def test_anonymous_readyz_gets_the_status_alone(site, broken_storage):
    response = requests.get(site.base_url + "/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded"}
    assert "s3cret" not in response.text and "10.0.0.5" not in response.text


def test_operators_get_the_details(site, broken_storage):
    admin = {"Authorization": f"Bearer {site.admin_token}"}
    metrics = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    for headers in (admin, metrics):
        body = requests.get(site.base_url + "/readyz", headers=headers).json()
        assert (
            body["checks"]["storage"]["ok"] is False
            and "s3cret" in body["checks"]["storage"]["error"]
        )
    teacher = {"Authorization": f"Bearer {site.world.tokens['t']}"}
    assert "checks" not in requests.get(site.base_url + "/readyz", headers=teacher).json()


def test_a_healthy_hub_says_ok_to_anyone(site):
    assert requests.get(site.base_url + "/readyz").json() == {"status": "ok"}


def test_metrics_need_the_token(site):
    assert requests.get(site.base_url + "/metrics").status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert requests.get(site.base_url + "/metrics", headers=wrong).status_code == 401
    teacher = {"Authorization": f"Bearer {site.world.tokens['t']}"}
    assert requests.get(site.base_url + "/metrics", headers=teacher).status_code == 401
    scraped = requests.get(
        site.base_url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert scraped.status_code == 200 and "eduhub_http_requests_total" in scraped.text


def test_without_a_token_metrics_are_off_except_for_administrators(tokenless):
    assert requests.get(tokenless.base_url + "/metrics").status_code == 404
    admin = login(tokenless.base_url, "admin@example.cn")
    assert admin.get(tokenless.base_url + "/metrics").status_code == 200
