"""Watching in the page: time to first frame of a micro-lesson, original vs its 360p rendition, in
Chromium throttled to 1 and 10 Mbit/s; and transcoding throughput (minutes of video per minute).

A MINUTES-long lesson (ffmpeg's test pattern with a tone: low complexity, H.264 720p at a constant
ORIGINAL_RATE, AAC, index at the end as most recorders leave it) is uploaded to a hub (embedded
defaults, under gunicorn). Its rendition is made as the worker makes it (RenditionService, ffmpeg
in the sandbox, 2 threads): the wall and CPU time give the throughput. Then, in a fresh browser
context per measurement (empty cache), the resource page is opened under DevTools network
conditions and the video's source is set to the original or the rendition: the time from setting
the source to the first frame presented (requestVideoFrameCallback), median of RUNS.
    nice python bench/media_bench.py --minutes 10 --rates 1,10 --runs 1 --out bench/out
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import free_port, hub_server, machine, prepare_hub, publish, write_json  # noqa: E402

from hub.security.principal import ANONYMOUS  # noqa: E402
from tests.resource_factories import valid_record  # noqa: E402
from tests.support import media  # noqa: E402

ORIGINAL_RATE = "2M"  # a 720p screen recording of a lesson
LATENCY_MS = 100
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
NAME = "微课.mp4"
FIRST_FRAME = """async (src) => {
  const v = document.querySelector('video[data-player]');
  v.muted = true;
  v.preload = 'auto';
  const t0 = performance.now();
  const framed = new Promise(r => v.requestVideoFrameCallback(() => r(performance.now() - t0)));
  v.src = src;
  await v.play();
  return await framed;
}"""


def make_lesson(folder: Path, minutes: float) -> tuple[Path, float]:
    started = time.monotonic()
    path = media.lesson(folder / "lesson.mp4", minutes * 60, "1280x720", ORIGINAL_RATE)
    return path, time.monotonic() - started


def upload(hub, world, path: Path) -> tuple[str, dict]:
    """Publish the lesson and make its rendition as the worker would; the transcode's figures."""
    rid = hub.resources.create(world["contributor"], valid_record(title="《有理数的加法》微课"))[
        "id"
    ]
    with path.open("rb") as stream:
        stored = hub.files.upload(world["contributor"], rid, NAME, stream, content_length=None)
    publish(hub, world, rid)
    hub.outbox.process()  # index and poster
    cpu0, wall0 = _children_cpu(), time.monotonic()
    hub.renditions.make(stored["sha256"], stored["mimetype"])
    wall, cpu = time.monotonic() - wall0, _children_cpu() - cpu0
    return rid, {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def first_frames(base: str, rid: str, rates: list[float], runs: int) -> dict:
    from playwright.sync_api import sync_playwright  # heavy; only the browser step needs it

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for rate in rates:
            for which in ("original", "rendition"):
                times = [_first_frame(browser, base, rid, rate, which) for _ in range(runs)]
                out[f"{which}@{rate:g}Mbit"] = round(median(times) / 1000, 2)
        browser.close()
    return out


def _first_frame(browser, base: str, rid: str, rate: float, which: str) -> float:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/r/{rid}")
    video = page.locator("video[data-player]")
    src = video.get_attribute("data-low" if which == "rendition" else "data-high")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    bps = rate * 1_000_000 / 8
    conditions = {"downloadThroughput": bps, "uploadThroughput": bps / 2, "latency": LATENCY_MS}
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **conditions})
    try:
        return page.evaluate(FIRST_FRAME, src)
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rates", default="1,10", help="Mbit/s, comma-separated")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    media.need_ffmpeg()
    rates = [float(r) for r in args.rates.split(",")]
    with tempfile.TemporaryDirectory(prefix="media-bench-") as tmp:
        data_dir = Path(tmp) / "var"
        hub, world = prepare_hub(data_dir)
        lesson, made_s = make_lesson(Path(tmp), args.minutes)
        rid, transcode = upload(hub, world, lesson)
        sizes = _sizes(hub, rid)
        with hub_server(data_dir, free_port()) as server:
            frames = first_frames(server.base, rid, rates, args.runs)
    minutes = args.minutes
    result = {
        "machine": machine(),
        "minutes": minutes,
        "original_rate": ORIGINAL_RATE,
        "sizes_mb": sizes,
        "generate_s": round(made_s, 1),
        "transcode": {
            **transcode,
            "video_minutes_per_minute": round(minutes / (transcode["wall_s"] / 60), 2),
            "video_minutes_per_cpu_minute": round(minutes / max(transcode["cpu_s"], 0.01) * 60, 2),
        },
        "first_frame_s": frames,
    }
    write_json(args.out / f"media-{minutes:g}min.json", result)
    print(result)


def _sizes(hub, rid: str) -> dict:
    found = hub.renditions.open(ANONYMOUS, rid, NAME, "rendition")
    original = hub.files.open_download(ANONYMOUS, rid, NAME)
    return {"original": round(original.size / 1e6, 1), "rendition": round(found.size / 1e6, 1)}


if __name__ == "__main__":
    main()
