"""A contributor uploads a large file over a link that drops halfway, submits it; a reviewer
publishes it."""

from __future__ import annotations

import hashlib
import os

from tests.factories import PASSWORD
from tests.resource_factories import PDF_BYTES

TITLE = "宁夏枸杞种植技术 微课视频讲义"
SIZE = 30 * 1024 * 1024
CUT_AFTER = 3  # chunks that get through before the link drops


def _big_pdf(path) -> bytes:
    data = PDF_BYTES + b"%" + os.urandom(SIZE - len(PDF_BYTES) - 8) + b"\n%%EOF\n"
    path.write_bytes(data)
    return data


def _log_in(page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_path}")


class FlakyLink:
    """Lets the first chunks through, then drops every chunk until `restore()`; HEAD (where to
    resume) always passes."""

    def __init__(self):
        self.passed = 0
        self.down = False
        self.dropped = 0
        self.offsets: list[int] = []  # the Upload-Offset of every chunk that reached the hub

    def handle(self, route, request):
        if request.method != "PATCH":
            return route.continue_()
        if self.passed == CUT_AFTER and not self.down and self.dropped == 0:
            self.down = True
        if self.down:
            self.dropped += 1
            return route.abort("connectionreset")
        self.passed += 1
        self.offsets.append(int(request.headers["upload-offset"]))
        return route.continue_()

    def restore(self):
        self.down = False


def test_contributor_uploads_through_a_dropped_link_and_reviewer_publishes(
    live_hub, browser, artifacts, tmp_path
):
    data = _big_pdf(tmp_path / "枸杞种植讲义.pdf")
    bad_responses = []
    contributor = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = contributor.new_page()
    page.on(
        "response",
        lambda r: bad_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    _log_in(page, live_hub.url, "c@example.cn", "/upload")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("简介").fill(
        "介绍宁夏中宁枸杞的种植、修剪与采摘，配合生物课“植物的生活”单元。"
    )
    page.get_by_label("学段").select_option("junior")
    page.get_by_label("资源类型").select_option("courseware")
    page.get_by_label("生物", exact=True).check()
    page.get_by_label("七年级").check()
    page.get_by_label("现代农业").check()
    page.get_by_label("关键词").fill("枸杞，种植")
    page.screenshot(path=str(artifacts / "contributor-form.png"), full_page=True)
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/upload/*")

    link = FlakyLink()
    page.route("**/api/v1/uploads/*", link.handle)
    page.get_by_label("选择文件").set_input_files(str(tmp_path / "枸杞种植讲义.pdf"))

    bar = page.locator("#progress-list progress")
    page.locator("#progress-list li.retrying").wait_for()
    received = int(bar.evaluate("b => b.value"))
    assert 0 < received < SIZE, "the bar shows the part that arrived before the cut"
    page.screenshot(path=str(artifacts / "contributor-upload-interrupted.png"), full_page=True)
    link.restore()

    page.locator("#progress-list li.done").wait_for(timeout=120_000)
    assert bar.evaluate("b => b.value") == SIZE
    assert (
        page.locator("#progress-list li.done .note").inner_text() == "完成"
    )  # the script speaks the page's language
    assert link.dropped >= 1
    chunk = link.offsets[1]
    # Resumed where the hub stood (after CUT_AFTER chunks), never from the start and never skipping
    # a byte.
    assert link.offsets == [i * chunk for i in range(len(link.offsets))]
    assert link.offsets[CUT_AFTER] == CUT_AFTER * chunk
    page.screenshot(path=str(artifacts / "contributor-upload-done.png"), full_page=True)

    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url("**/mine")
    assert page.locator("tr", has_text=TITLE).locator(".status-submitted").is_visible()
    page.screenshot(path=str(artifacts / "contributor-mine.png"), full_page=True)
    contributor.close()

    reviewer = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = reviewer.new_page()
    page.on(
        "response",
        lambda r: bad_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    _log_in(page, live_hub.url, "r@example.cn", "/review")
    item = page.locator("li.card", has_text=TITLE)
    assert item.get_by_text("枸杞种植讲义.pdf").is_visible()
    page.screenshot(path=str(artifacts / "reviewer-queue.png"), full_page=True)
    item.get_by_role("button", name="发布").click()
    page.wait_for_url("**/review?done=publish")
    assert page.locator("li.card", has_text=TITLE).count() == 0

    live_hub.app.extensions[
        "eduhub"
    ].outbox.process()  # the worker's job after the commit: index it
    page.goto(live_hub.url + "/?q=枸杞")
    hit = page.locator("li.hit", has_text=TITLE)
    assert hit.count() == 1
    page.screenshot(path=str(artifacts / "reviewer-published-in-search.png"), full_page=True)
    hit.get_by_role("link").first.click()
    page.wait_for_url("**/r/*")
    record_id = page.url.rsplit("/", 1)[-1]
    record = live_hub.app.extensions["eduhub"].resources.get(live_hub.world.reviewer, record_id)
    assert record["files"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    reviewer.close()
    assert bad_responses == []
