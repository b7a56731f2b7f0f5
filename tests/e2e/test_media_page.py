"""Watching and reading in the page, in Chromium: a micro-lesson plays from its 360p rendition on a
throttled 1 Mbit/s line and the 流畅/高清 switch changes the source; a PDF's first page is drawn by
pdf.js from range requests; axe finds nothing on the page."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from tests.e2e.test_accessibility import _violations, axe_js  # noqa: F401  (axe_js: a fixture)
from tests.resource_factories import valid_record
from tests.support import media

ONE_MBIT = {
    "offline": False,
    "latency": 150,  # ms: a rural line
    "downloadThroughput": 1_000_000 / 8,  # bytes per second
    "uploadThroughput": 500_000 / 8,
    "connectionType": "cellular3g",
}


def publish(live_hub, title: str, name: str, data: bytes) -> str:
    hub = live_hub.app.extensions["eduhub"]
    world = live_hub.world
    record = hub.resources.create(
        world.contributor, valid_record(title=title, type="micro-lecture")
    )
    hub.files.upload(world.contributor, record["id"], name, io.BytesIO(data), content_length=None)
    hub.resources.act(world.contributor, record["id"], "submit")
    hub.resources.act(world.reviewer, record["id"], "publish", comment="通过")
    hub.outbox.process()  # index and preview (the poster)
    for sha256, mimetype in [args for task, args in hub.tasks.sent if task == "make_rendition"]:
        hub.renditions.make(sha256, mimetype)  # what the worker task does
    return record["id"]


def noisy_pdf(pages: int = 4) -> bytes:
    """A PDF of photograph-like pages (noise does not compress): big enough for range requests."""
    rng = random.Random(14)
    images = [
        Image.frombytes("RGB", (400, 560), rng.randbytes(400 * 560 * 3)) for _ in range(pages)
    ]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], quality=80)
    return buf.getvalue()


@pytest.fixture(scope="module")
def lesson_id(live_hub, tmp_path_factory) -> str:
    media.need_ffmpeg()
    clip = media.lesson(tmp_path_factory.mktemp("lesson") / "lesson.mp4", seconds=3, size="854x480")
    return publish(live_hub, "《有理数的加法》微课", "有理数的加法微课.mp4", clip.read_bytes())


@pytest.fixture(scope="module")
def reading_id(live_hub) -> str:
    return publish(live_hub, "宁夏地理图册（在线阅读）", "宁夏地理图册.pdf", noisy_pdf())


def throttle(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", ONE_MBIT)


def test_a_lesson_plays_from_the_rendition_on_a_slow_line_and_the_switch_changes_it(
    live_hub, page, lesson_id
):
    throttle(page)
    page.goto(f"{live_hub.url}/r/{lesson_id}")
    video = page.locator("video[data-player]")
    low, high = video.get_attribute("data-low"), video.get_attribute("data-high")
    assert "/renditions/" in low and "/files/" in high
    assert video.get_attribute("src") == low, "a slow line gets the rendition by default"
    assert "/posters/" in video.get_attribute("poster")
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.5")
    at = page.evaluate(
        "() => { const v = document.querySelector('video'); v.pause(); return v.currentTime; }"
    )
    page.get_by_role("button", name="高清").click()
    assert video.get_attribute("src") == high
    page.wait_for_function(  # the position is kept across the switch
        "at => { const v = document.querySelector('video'); "
        "return v.readyState >= 1 && Math.abs(v.currentTime - at) < 0.2; }",
        arg=at,
    )
    assert page.get_by_role("button", name="高清").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="流畅").click()
    assert video.get_attribute("src") == low


def test_the_first_page_of_a_pdf_is_drawn_from_range_requests(live_hub, page, reading_id):
    ranges = []
    page.on("response", lambda r: "/files/" in r.url and ranges.append(r.status))
    page.goto(f"{live_hub.url}/r/{reading_id}")
    page.wait_for_selector("canvas.reader-page")
    page.wait_for_function(
        """() => {
          const c = document.querySelector('canvas.reader-page');
          const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < px.length; i += 4 * 97) {
            if (px[i + 3] && (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240)) return true;
          }
          return false;
        }"""
    )
    assert 206 in ranges, "pdf.js read the file by ranges"
    label = page.locator("canvas.reader-page").first.get_attribute("aria-label")
    assert label == "第 1 页"


@pytest.fixture
def axe_page(browser):
    """The hub's CSP rightly refuses injected scripts; only this checker's context may bypass it."""
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    yield context.new_page()
    context.close()


def test_the_media_pages_pass_axe(live_hub, axe_page, lesson_id, reading_id, axe_js):  # noqa: F811
    found = {}
    for name, resource_id in [("video", lesson_id), ("pdf", reading_id)]:
        axe_page.goto(f"{live_hub.url}/r/{resource_id}")
        axe_page.wait_for_selector("video, canvas.reader-page")
        found[name] = _violations(axe_page, axe_js)
    assert found == {"video": [], "pdf": []}
