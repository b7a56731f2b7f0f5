"""Bundle size estimates and the web flow without JavaScript: scoped to what the caller may read."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hub.security.principal import ANONYMOUS
from tests.factories import PASSWORD, auth_header
from tests.resource_factories import PDF_BYTES, make_world, publish

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def world(hub):
    world = make_world(hub)
    publish(hub, world, title="有理数的加法（公开）")
    publish(hub, world, title="有理数的乘法（公开）")
    publish(hub, world, title="校内教案：有理数", visibility="org")
    while hub.outbox.process():  # index them, as the worker would
        pass
    return world


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, email: str) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )


def test_the_estimate_counts_only_what_the_caller_may_read(client, world):
    contributor = client.get("/api/v1/bundles/estimate", headers=auth_header(world.tokens["c"]))
    outsider = client.get("/api/v1/bundles/estimate", headers=auth_header(world.tokens["o"]))
    anonymous = client.get("/api/v1/bundles/estimate?subject=math")
    assert contributor.json == {
        "resources": 3,
        "files": 3,  # the factory uploads a distinct file each time
        "bytes": 3 * len(PDF_BYTES),
        "capped": False,
    }
    assert outsider.json["resources"] == 2 and anonymous.json["resources"] == 2


def test_the_estimate_of_words_never_counts_a_record_the_caller_cannot_read(client, world):
    hidden = client.get(
        "/api/v1/bundles/estimate?q=校内教案", headers=auth_header(world.tokens["o"])
    )
    own = client.get("/api/v1/bundles/estimate?q=校内教案", headers=auth_header(world.tokens["c"]))
    assert hidden.json == {"resources": 0, "files": 0, "bytes": 0, "capped": False}
    assert own.json["resources"] == 1


def test_the_estimate_refuses_an_unknown_filter(client, world):
    refused = client.get("/api/v1/bundles/estimate?colour=red")
    assert refused.status_code == 400 or refused.status_code == 422


def test_without_javascript_a_teacher_sees_the_size_builds_and_downloads(client, hub, world):
    search = client.get("/?subject=math").get_data(as_text=True)
    assert 'action="/bundles/new"' in search
    assert 'id="bundle-form"' not in client.get("/").get_data(as_text=True)  # not a search
    log_in(client, "o@example.cn")
    page = client.get("/bundles/new?subject=math").get_data(as_text=True)
    assert "2 个资源" in page or "2 resources" in page
    posted = client.post("/bundles", data={"subject": "math", "csrf_token": csrf_from(page)})
    assert posted.status_code == 302 and "/bundles/" in posted.location
    status = client.get(posted.location)
    waiting = status.get_data(as_text=True)
    assert f'href="{posted.location}"' in waiting and "data-poll=" in waiting  # refresh, or JS
    while hub.outbox.process():
        pass
    ready = client.get(posted.location).get_data(as_text=True)
    link = re.search(r'href="(/api/v1/bundles/[^"]+/file)"', ready).group(1)
    assert client.get(link).data[:2] == b"PK"
    mine = client.get("/mine").get_data(as_text=True)
    assert link in mine


def test_an_anonymous_visitor_is_asked_to_log_in_before_building(client, world):
    page = client.get("/bundles/new?subject=math").get_data(as_text=True)
    assert "/login?next=" in page and 'action="/bundles"' not in page
    refused = client.post("/bundles", data={"subject": "math"})
    assert refused.status_code in (302, 403)


@pytest.mark.parametrize(
    "query",
    [{}, {"subject": ["math"]}, {"q": "有理数"}, {"stage": ["senior"]}, {"org": ["xq"]}],
    ids=["all", "subject", "words", "nothing", "org"],
)
def test_the_estimate_is_what_the_export_writes(hub, world, tmp_path, query):
    for actor in (world.contributor, world.outsider, ANONYMOUS):
        size = hub.bundles.estimate(actor, query)
        report = hub.bundle_exporter.export(tmp_path / "b.zip", query=query, actor=actor)
        assert (size["resources"], size["files"], size["bytes"]) == (
            report.records,
            report.files,
            report.bytes,
        )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(["q", "stage", "subject", "org", "region", "source", "x", "页"]),
            st.text(max_size=30),
        ),
        max_size=6,
    )
)
@example(params=[("org", "\x00")])  # PostgreSQL refuses NUL in text: found by this test
def test_any_estimate_query_is_answered_or_refused_never_a_crash(client, world, params):
    answer = client.get("/api/v1/bundles/estimate", query_string=params)
    assert answer.status_code in (200, 422), answer.json
    if answer.status_code == 200:
        assert answer.json["resources"] <= 2  # anonymous: the public ones at most
