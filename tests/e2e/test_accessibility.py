"""Every kind of page passes axe-core's WCAG 2 A/AA rules in a real browser."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.factories import PASSWORD, make_user
from tests.resource_factories import PDF_BYTES, valid_record
from tests.support import need

# axe-core comes from the npm registry at test time and is kept out of the work tree (no
# node_modules in git).
AXE_PACKAGE = "axe-core@4"
AXE_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "eduhub-axe"
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """EDUHUB_AXE_JS, or axe.min.js installed once with npm into the user's cache directory."""
    if os.environ.get("EDUHUB_AXE_JS"):
        return Path(os.environ["EDUHUB_AXE_JS"])
    path = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        if shutil.which("npm") is None:
            need("axe-core", "npm is missing; set EDUHUB_AXE_JS to an axe.min.js")
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(AXE_CACHE), AXE_PACKAGE],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or not path.exists():
            need("axe-core", f"npm install {AXE_PACKAGE} failed: {done.stderr[-500:]}")
    return path


def _violations(page, axe_js: Path) -> list[str]:
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate("rules => axe.run(document, rules)", RULES)
    assert len(result["passes"]) > 10, "axe ran its checks"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -- "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
    ]


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login?next=/mine")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/mine")


@pytest.fixture
def page(browser):
    """The hub's CSP rightly refuses injected scripts; only this checker's context may bypass it."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def admin_email(live_hub) -> str:
    email = "a11y-admin@example.cn"
    make_user(live_hub.app.extensions["eduhub"], email=email, admin=True, org=None, role=None)
    return email


def test_public_pages_pass_axe(live_hub, page, axe_js, artifacts):
    record = live_hub.records[0]
    found = {}
    for name, path in [
        ("search", "/?q=黄河文化&subject=geography"),
        ("empty-search", "/?q=不存在的词语xyz"),
        ("resource", f"/r/{record['id']}"),
        ("login", "/login"),
    ]:
        page.goto(live_hub.url + path)
        found[name] = _violations(page, axe_js)
    page.screenshot(path=str(artifacts / "a11y-login.png"), full_page=True)
    assert found == {name: [] for name in found}


def test_contributor_reviewer_and_admin_pages_pass_axe(
    live_hub, page, axe_js, admin_email, artifacts
):
    hub = live_hub.app.extensions["eduhub"]
    draft = hub.resources.create(
        live_hub.world.contributor, {"title": "无障碍检查用草稿", "stage": "junior"}
    )
    queued = hub.resources.create(
        live_hub.world.contributor, valid_record(title="无障碍检查用待审资源")
    )
    hub.files.upload(
        live_hub.world.contributor,
        queued["id"],
        "待审.pdf",
        io.BytesIO(PDF_BYTES),
        content_length=len(PDF_BYTES),
    )
    hub.resources.act(live_hub.world.contributor, queued["id"], "submit")
    found = {}
    _log_in(page, live_hub.url, "c@example.cn")
    for name, path in [
        ("upload", "/upload"),
        ("upload-files", f"/upload/{draft['id']}"),
        ("mine", "/mine"),
    ]:
        page.goto(live_hub.url + path)
        found[name] = _violations(page, axe_js)
    page.context.clear_cookies()
    _log_in(page, live_hub.url, "r@example.cn")
    page.goto(live_hub.url + "/review")
    found["review"] = _violations(page, axe_js)
    page.screenshot(path=str(artifacts / "a11y-review.png"), full_page=True)
    page.context.clear_cookies()
    _log_in(page, live_hub.url, admin_email)
    for name, path in [
        ("admin", "/admin"),
        ("admin-sources", "/admin/sources"),
        ("admin-people", "/admin/people"),
        ("admin-audit", "/admin/audit"),
    ]:
        page.goto(live_hub.url + path)
        found[name] = _violations(page, axe_js)
    page.screenshot(path=str(artifacts / "admin-audit.png"), full_page=True)
    assert found == {name: [] for name in found}
