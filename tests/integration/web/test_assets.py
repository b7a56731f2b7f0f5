"""Stylesheets and scripts are linked with a hash of their content and then cached by browsers for a
year."""

from __future__ import annotations

import re

from hub.web import assets


def asset_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/assets/[^"]+)"', html)


def test_pages_link_assets_with_their_fingerprint(client):
    links = asset_links(client.get("/").get_data(as_text=True))
    assert any(link.startswith("/assets/css/hub.css?v=") for link in links)
    for link in links:
        path, _, version = link.partition("?v=")
        assert re.fullmatch(r"[0-9a-f]{12}", version), link
        assert version == assets.fingerprint(path.removeprefix("/assets/"))


def test_a_fingerprinted_asset_is_cached_for_a_year_and_the_same_in_every_language(client):
    link = next(
        link for link in asset_links(client.get("/").get_data(as_text=True)) if "hub.css" in link
    )
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/css"
    cache = response.headers["Cache-Control"]
    assert (
        "max-age=31536000" in cache
        and "immutable" in cache
        and "public" in cache
        and "no-cache" not in cache
    )
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Accept-Language" not in response.headers.get("Vary", "")


def test_an_asset_without_or_with_a_stale_fingerprint_is_revalidated(client):
    for url in ("/assets/css/hub.css", "/assets/css/hub.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_fingerprint_follows_the_content_and_stays_inside_the_static_folder(tmp_path, monkeypatch):
    (tmp_path / "a.css").write_text("body{}")
    monkeypatch.setattr(assets, "STATIC", tmp_path)
    assets.fingerprint.cache_clear()
    try:
        first = assets.fingerprint("a.css")
        assert first and len(first) == 12
        assets.fingerprint.cache_clear()
        (tmp_path / "a.css").write_text("body{color:red}")
        assert assets.fingerprint("a.css") != first
        assert assets.fingerprint("../etc/passwd") is None
        assert assets.fingerprint("missing.css") is None
    finally:
        assets.fingerprint.cache_clear()
