"""Web pages through the Flask test client: search, resource, log-in and /mine, with security
headers and CSRF."""

from __future__ import annotations

import re
import uuid

import pytest

from config import Config
from hub import create_app
from hub.db import Base
from tests.factories import PASSWORD
from tests.resource_factories import make_world, publish


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def site(request, tmp_path_factory):
    """One hub per module and database with a few published resources: these tests only read
    (log-ins aside)."""
    data_dir = tmp_path_factory.mktemp("web") / "var"
    url, drop = f"sqlite:///{data_dir.parent / 'hub.db'}", lambda: None
    if request.param == "postgresql":
        from tests.support import postgres

        server, name = (
            request.getfixturevalue("postgres_server"),
            f"eduhub_test_{uuid.uuid4().hex[:12]}",
        )
        url, drop = (
            postgres.create_database(server, name),
            lambda: postgres.drop_database(server, name),
        )
    config = Config.from_env(
        data_dir=data_dir,
        database_url=url,
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url="memory://",  # no worker: the tests run the outbox themselves
        secret_key="test-secret",
        testing=True,
    )
    app = create_app(config)
    hub = app.extensions["eduhub"]
    Base.metadata.create_all(hub.db.engine)
    yield app, publish_world(hub)
    hub.close()
    drop()


@pytest.fixture
def client(site):
    return site[0].test_client()


@pytest.fixture
def world(site):
    return site[1]


def publish_world(hub):
    world = make_world(hub)
    world.public = publish(hub, world)
    world.geography = publish(
        hub,
        world,
        title="黄河文化与宁夏地理 教学设计",
        subjects=["geography"],
        stage="senior",
        grades=["g10"],
        type="lesson-plan",
        themes=["yellow-river"],
        edition=None,
        volume=None,
    )
    world.private = publish(hub, world, title="校内资料 有理数 内部练习", visibility="org")
    hub.outbox.process()
    return world


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, email: str):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/mine"}
    )


def test_search_page_shows_hits_with_highlights_and_facet_counts(client, world):
    page = client.get("/?q=有理数").get_data(as_text=True)
    assert "<mark>有理数</mark>" in page
    assert f"/r/{world.public['id']}" in page
    assert 'data-facet="subject"' in page and "学科" in page
    assert re.search(r'data-facet="stage">初中</a>\s*<span class="count">1</span>', page)


def test_licence_and_source_are_counted_only_while_filtered_by(client, world):
    assert "<summary>许可协议</summary>" not in client.get("/?q=有理数").get_data(as_text=True)
    page = client.get("/?q=有理数&license=CC-BY-4.0").get_data(as_text=True)
    assert "<summary>许可协议</summary>" in page and 'aria-current="true">✓ ' in page


def test_a_facet_link_narrows_and_shows_a_removable_chip(client, world):
    page = client.get("/?subject=geography").get_data(as_text=True)
    assert world.geography["title"] in page and world.public["title"] not in page
    assert 'class="chip"' in page and "地理" in page
    assert 'href="/"' in page  # the chip removes the only filter: back to everything


def test_empty_search_offers_ways_onwards(client, world):
    page = client.get("/?q=量子色动力学&subject=math").get_data(as_text=True)
    assert "没有找到符合条件的资源" in page
    assert (
        "/?q=%E9%87%8F%E5%AD%90%E8%89%B2%E5%8A%A8%E5%8A%9B%E5%AD%A6" in page
    )  # the same words without the filter


def test_bad_values_in_a_shared_link_do_not_break_the_page(client, world):
    assert client.get("/?page=abc&sort=nonsense").status_code == 200
    page = client.get("/?org=no-such-org")
    assert page.status_code == 200 and "no-such-org" in page.get_data(as_text=True)


def test_org_only_record_is_absent_for_anonymous_visitors(client, world):
    page = client.get("/?q=有理数").get_data(as_text=True)
    assert f"/r/{world.public['id']}" in page and f"/r/{world.private['id']}" not in page
    assert client.get(f"/r/{world.private['id']}").status_code == 404


def test_org_member_finds_the_org_only_record_after_logging_in(client, world):
    log_in(client, "r@example.cn")
    assert f"/r/{world.private['id']}" in client.get("/?q=有理数").get_data(as_text=True)
    assert client.get(f"/r/{world.private['id']}").status_code == 200


def test_resource_page_shows_labels_files_and_json_ld(client, world):
    page = client.get(f"/r/{world.public['id']}").get_data(as_text=True)
    assert "七年级" in page and "人教版" in page and "知识共享" in page
    assert f"/api/v1/resources/{world.public['id']}/files/%E8%AF%BE%E4%BB%B6.pdf" in page
    assert '<script type="application/ld+json">' in page and '"LearningResource"' in page
    assert "<script>" not in page  # no inline script that the CSP would have to allow


def test_every_web_response_carries_the_security_headers(client, world):
    for url in ("/", f"/r/{world.public['id']}", "/login", "/r/missing", "/assets/css/hub.css"):
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_missing_resource_is_a_friendly_html_page(client, world):
    response = client.get("/r/missing")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "返回搜索" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"email": "c@example.cn", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/mine").status_code == 302  # still not logged in


def test_logout_without_csrf_token_is_refused(client, world):
    log_in(client, "c@example.cn")
    assert client.post("/logout").status_code == 403
    assert client.get("/mine").status_code == 200


def test_wrong_password_shows_the_form_again(client, world):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": "c@example.cn", "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "邮箱或密码不正确" in response.get_data(as_text=True)


def test_login_leads_to_my_resources_and_logout_ends_the_session(client, world):
    response = log_in(client, "c@example.cn")
    assert response.status_code == 302 and response.location.endswith("/mine")
    page = client.get("/mine").get_data(as_text=True)
    assert world.public["title"] in page and world.private["title"] in page
    token = csrf_from(page)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/mine").status_code == 302


def test_login_does_not_redirect_off_site(client, world):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={
            "email": "c@example.cn",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.location == "/"


def test_mine_asks_anonymous_visitors_to_log_in(client, world):
    response = client.get("/mine")
    assert response.status_code == 302 and "/login?next=/mine" in response.location


def test_pager_shows_first_last_and_neighbours_with_gaps():
    from hub.web.searchform import pages

    assert pages(7, 400) == [1, None, 5, 6, 7, 8, 9, None, 20]
    assert pages(1, 5) == [1]


def test_page_links_keep_the_whole_search():
    from werkzeug.datastructures import MultiDict

    from hub.web.searchform import SearchForm

    form = SearchForm.from_args(
        MultiDict([("q", "黄河"), ("subject", "geography"), ("sort", "newest"), ("page", "2")])
    )
    assert form.page_url(3) == "/?q=%E9%BB%84%E6%B2%B3&subject=geography&sort=newest&page=3"
    assert form.without_filter("subject", "geography") == "/?q=%E9%BB%84%E6%B2%B3&sort=newest"
