"""Smoke test of bench/web_bench.py: its page-weight parser, its timed requests and its browser
log-in, run against a small static server and a live hub, so the bench cannot rot between runs (no
timing is asserted)."""

from __future__ import annotations

import gzip
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import web_bench  # noqa: E402
import web_weight  # noqa: E402

from tests.factories import make_user  # noqa: E402
from tests.support.http_server import LoopbackServer, Reply  # noqa: E402

CSS = (
    b"@import 'more.css'; body { font: 1em url(fonts/a.woff2); background: url(\"bg.png\") } "
    b"i { x: url(data:x) }"
)
FILES = {
    "/": b"""<html><head><link rel="stylesheet" href="/s/site.css"><link rel="icon" href="/i.svg">
        <script src="/app.js" defer></script><script>inline()</script></head>
        <body style="background:url('/deco.png')"><img src="/thumb.png"
        srcset="/thumb.png 1x, /thumb2.png 2x">
        <video poster="/poster.jpg"><source src="/clip.mp4"></video>
        <script src="/missing.js"></script></body></html>""",
    "/s/site.css": CSS,
    "/s/more.css": b"p { color: red }",
    "/s/fonts/a.woff2": b"F" * 500,
    "/s/bg.png": b"B" * 70,
    "/i.svg": b"<svg/>",
    "/app.js": b"J" * 300,
    "/deco.png": b"D" * 40,
    "/thumb.png": b"T" * 1000,
    "/thumb2.png": b"T" * 2000,
    "/poster.jpg": b"P" * 3000,
    "/clip.mp4": b"M" * 4000,
}


def static(request) -> Reply:
    """FILES, stylesheets gzipped when the client accepts it, as nginx may do."""
    body = FILES.get(request.path)
    if body is None:
        return Reply(404, b"not found")
    if request.path.endswith(".css") and "gzip" in request.headers.get("Accept-Encoding", ""):
        return Reply(200, gzip.compress(body), {"Content-Encoding": "gzip"})
    return Reply(200, body)


@pytest.fixture
def static_port():
    """FILES over HTTP/1.1 with keep-alive, so the bench's kept connections are exercised."""
    with LoopbackServer(static, keep_alive=True) as server:
        yield server.port


@pytest.fixture
def database_url(tmp_path):
    """SQLite only: the bench reads pages, whatever database is behind them."""
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def hub_port(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


def test_parser_sorts_what_a_page_loads_from_its_media():
    refs = web_weight.parse_html(FILES["/"].decode())
    assert refs.assets == [
        ("css", "/s/site.css"),
        ("icon", "/i.svg"),
        ("js", "/app.js"),
        ("js", "/missing.js"),
    ]
    assert refs.media == ["/thumb.png", "/thumb.png", "/thumb2.png", "/poster.jpg", "/clip.mp4"]
    assert web_weight.css_refs(" ".join(refs.inline_css)) == [("icon", "/deco.png")]


def test_stylesheet_references_skip_data_uris_and_name_fonts():
    assert web_weight.css_refs(CSS.decode()) == [
        ("css", "more.css"),
        ("font", "fonts/a.woff2"),
        ("icon", "bg.png"),
    ]


def test_page_weight_counts_each_asset_once_and_media_apart(static_port):
    page = web_weight.page_weight(f"http://127.0.0.1:{static_port}", "/")
    kinds = sorted((a["kind"], a["url"]) for a in page["assets"])
    assert kinds == [
        ("css", "/s/more.css"),
        ("css", "/s/site.css"),
        ("font", "/s/fonts/a.woff2"),
        ("icon", "/deco.png"),
        ("icon", "/i.svg"),
        ("icon", "/s/bg.png"),
        ("js", "/app.js"),
        ("js", "/missing.js"),
    ]
    assert page["broken"] == ["/missing.js"]
    found = [a for a in page["assets"] if a["status"] == 200]
    assert page["total"]["bytes"] == len(FILES["/"]) + sum(len(FILES[a["url"]]) for a in found)
    css = next(a for a in page["assets"] if a["url"] == "/s/site.css")
    assert css["encoding"] == "gzip" and css["bytes"] == len(CSS) and css["wire"] != len(CSS)
    assert page["media"] == {"count": 4, "wire": 1000 + 2000 + 3000 + 4000}


def test_requests_are_timed_to_first_and_last_byte_on_kept_connections(static_port):
    jobs = [("page", "/"), ("script", "/app.js"), ("gone", "/nothing")] * 4
    samples = web_bench.run_jobs(static_port, jobs, {}, concurrency=2)
    assert len(samples) == len(jobs)
    assert all(0 < s["ttfb"] <= s["total"] for s in samples)
    assert web_bench.summary([s for s in samples if s["label"] == "page"])["n"] == 4
    assert web_bench.summary([s for s in samples if s["label"] == "gone"]) == {"n": 0, "errors": 4}


def test_browser_login_gives_a_session_the_hub_pages_accept(hub, hub_port):
    make_user(hub, email=web_bench.USER[0], password=web_bench.USER[1])
    headers = web_bench.browser_login(hub_port)
    conn = web_bench.http.client.HTTPConnection("127.0.0.1", hub_port)
    status, _, _, body = web_bench.timed_get(conn, "/mine", headers)
    assert status == 200 and b"logout" in body


def test_hub_pages_reference_no_broken_assets_and_the_mix_answers(hub_port):
    base = f"http://127.0.0.1:{hub_port}"
    page = web_weight.page_weight(base, "/")
    assert page["status"] == 200 and page["broken"] == []
    assert {a["kind"] for a in page["assets"]} >= {"css", "js"}
    assert set(web_bench.hits(base).values()) == {0}
