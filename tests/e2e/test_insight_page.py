"""The insight page in a real browser: charts from hub-served assets only, axe-clean, scoped."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from pypdf import PdfReader

from tests.e2e.test_accessibility import _log_in, _violations, axe_js  # noqa: F401 (fixture)
from tests.factories import auth_header, make_token, make_user

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"


@pytest.fixture(scope="module")
def people(live_hub) -> dict:
    """An administrator and an org admin of Yuanzhou; teachers of Yuanzhou and Xingqing download."""
    hub = live_hub.app.extensions["eduhub"]
    make_user(hub, email="insight-admin@example.cn", admin=True, org=None, role=None)
    make_user(hub, email="insight-ga@example.cn", org="gy", role="org_admin")
    for email in ("o@example.cn", "t@example.cn"):
        token = make_token(hub, email)
        for record in live_hub.records[:2]:
            url = f"{live_hub.url}/api/v1/resources/{record['id']}/files/"
            name = hub.resources.get(live_hub.world.contributor, record["id"])["files"][0]["name"]
            headers = {"User-Agent": BROWSER_UA, **auth_header(token)}
            assert requests.get(url + name, headers=headers, timeout=30).status_code == 200
    hub.stats.refresh()
    return {"admin": "insight-admin@example.cn", "org_admin": "insight-ga@example.cn"}


@pytest.fixture
def page(browser):
    """bypass_csp only so that axe can be injected; the hub's own scripts run under its CSP."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1440, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


def _guard(page, base: str) -> tuple[list[str], list[str]]:
    """Every request that would leave the hub is refused and noted; script errors are noted."""
    outside, errors = [], []
    host = urlsplit(base).netloc

    def route(r):
        if urlsplit(r.request.url).netloc == host:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return outside, errors


def _open_insight(page, base: str) -> None:
    page.goto(base + "/admin/insight")
    page.wait_for_load_state("networkidle")
    # 22 county shapes drawn as SVG paths by ECharts from the hub's own GeoJSON
    page.wait_for_function(
        "document.querySelectorAll('#chart-map svg path').length >= 22", timeout=20000
    )


def test_admin_sees_the_province_drawn_from_hub_assets_only(
    live_hub, people, page, axe_js, artifacts
):
    outside, errors = _guard(page, live_hub.url)
    _log_in(page, live_hub.url, people["admin"])
    _open_insight(page, live_hub.url)
    assert page.locator("h1").inner_text() == "全区资源概览"
    assert page.locator("#county-table tbody tr").count() == 22
    assert page.locator("#chart-usage svg").count() == 1
    assert page.locator("#chart-coverage svg text", has_text="✕").count() > 0
    page.screenshot(path=str(artifacts / "insight.png"), full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})  # a projector
    page.wait_for_timeout(300)  # ECharts redraws on resize
    page.screenshot(path=str(artifacts / "insight-projector.png"))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts / "insight-print.png"), full_page=True)
    page.pdf(path=str(artifacts / "insight-a4.pdf"), format="A4", landscape=True)
    pages = PdfReader(artifacts / "insight-a4.pdf").pages
    assert len(pages) <= 2 and abs(float(pages[0].mediabox.width) - 842) < 2  # A4 landscape
    page.emulate_media(media="screen")
    assert _violations(page, axe_js) == []
    assert outside == [] and errors == []


def test_a_coverage_cell_opens_its_search(live_hub, people, page):
    _log_in(page, live_hub.url, people["admin"])
    _open_insight(page, live_hub.url)
    page.get_by_text("表格：各学段学科的本省资源数").click()  # tables sit folded under the charts
    page.locator("#coverage-table td.have a").first.click()
    page.wait_for_url("**/?stage=*&subject=*")
    assert page.locator(".hit, .result, article").count() >= 1


def test_org_admin_sees_its_subtree(live_hub, people, page):
    outside, errors = _guard(page, live_hub.url)
    _log_in(page, live_hub.url, people["org_admin"])
    _open_insight(page, live_hub.url)
    assert "本机构及下属学校" in page.locator(".scope").inner_text()
    page.get_by_text("表格：各县区").click()
    rows = {
        row.locator("th").inner_text().split()[0]: row.locator("td").last.inner_text()
        for row in page.locator("#county-table tbody tr").all()
    }
    assert rows["原州区"] == "2.0" and rows["兴庆区"] == "—"
    assert outside == [] and errors == []


def test_a_teacher_is_refused(live_hub, people, page):
    _log_in(page, live_hub.url, "t@example.cn")
    response = page.goto(live_hub.url + "/admin/insight")
    assert response.status == 403
    assert page.locator("#chart-map").count() == 0
