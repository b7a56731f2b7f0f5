"""The unpacked bundle's index.html in the real browser, from file:// with no server."""

from __future__ import annotations

import hashlib
import json
import zipfile
from urllib.parse import unquote, urlsplit

import pytest

from tests.support.bundles import fill, make_hub


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundle-page")
    hub = make_hub(root / "var")
    fill(hub, root, count=15)
    hub.bundle_exporter.export(root / "bundle.zip")
    hub.close()
    folder = root / "unpacked"
    with zipfile.ZipFile(root / "bundle.zip") as archive:
        archive.extractall(folder)
    return folder


@pytest.fixture
def bundle_page(page, unpacked):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((unpacked / "index.html").as_uri())
    page.wait_for_selector("#results li")
    page.requests = requests
    return page


def test_a_chinese_word_finds_the_resource_and_its_link_is_the_file(bundle_page, unpacked):
    bundle_page.fill("#q", "光合作用")

    titles = bundle_page.locator("#results li .title").all_inner_texts()
    assert len(titles) == 3 and all("光合作用" in t for t in titles)
    link = bundle_page.locator("#results li").first.locator(".files a").first
    href = unquote(urlsplit(link.evaluate("a => a.href")).path)
    target = unpacked / href.split("/unpacked/", 1)[1]
    sha256 = hashlib.sha256(target.read_bytes()).hexdigest()
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    record = next(r for r in manifest["records"] if r["title"] == titles[0])
    assert (link.get_attribute("download"), sha256) == (
        record["files"][0]["name"],
        record["files"][0]["sha256"],
    )
    assert target.name == sha256
    assert all(url.startswith("file://") for url in bundle_page.requests)


def test_a_word_inside_a_longer_phrase_is_found_by_its_segments(bundle_page):
    bundle_page.fill("#q", "黄河文化")
    titles = bundle_page.locator("#results li .title").all_inner_texts()
    assert titles and all("黄河文化" in t for t in titles)


def test_filters_by_stage_subject_and_grade(bundle_page):
    assert bundle_page.locator("#results li").count() == 15
    bundle_page.select_option("#stage", "primary")
    titles = bundle_page.locator("#results li .title").all_inner_texts()
    assert len(titles) == 3 and all("静夜思" in t for t in titles)
    bundle_page.select_option("#stage", "")
    bundle_page.select_option("#subjects", "physics")
    bundle_page.select_option("#grades", "g8")
    titles = bundle_page.locator("#results li .title").all_inner_texts()
    assert len(titles) == 3 and all("牛顿" in t for t in titles)
    assert "物理" in bundle_page.locator("#subjects option:checked").inner_text()
