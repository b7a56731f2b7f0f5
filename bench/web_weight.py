"""Page weight without media: a page's HTML plus every stylesheet, script, font and icon it
references, as sent (with gzip when the server compresses) and uncompressed; images, audio and video
are counted apart."""

from __future__ import annotations

import gzip
import http.client
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

FONT_EXT = (".woff2", ".woff", ".ttf", ".otf", ".eot")
IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".avif")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]([^'"]+)['"]""", re.I)
MEDIA_TAGS = {
    "img": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
}


class PageRefs(HTMLParser):
    """What an HTML page makes a browser fetch: `assets` (kind, url) that count, `media` urls that
    are set apart."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.assets: list[tuple[str, str]] = []
        self.media: list[str] = []
        self.inline_css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        if tag == "link" and a.get("href"):
            if "stylesheet" in rel or ("preload" in rel and a.get("as") == "style"):
                self.assets.append(("css", a["href"]))
            elif "icon" in rel or "apple-touch-icon" in rel or "mask-icon" in rel:
                self.assets.append(("icon", a["href"]))
            elif "preload" in rel and a.get("as") == "font":
                self.assets.append(("font", a["href"]))
            elif ("preload" in rel or "modulepreload" in rel) and a.get("as", "script") == "script":
                self.assets.append(("js", a["href"]))
            elif "manifest" in rel:
                self.assets.append(("other", a["href"]))
        elif tag == "script" and a.get("src"):
            self.assets.append(("js", a["src"]))
        elif tag in MEDIA_TAGS:
            for name in MEDIA_TAGS[tag]:
                self.media.extend(
                    _srcset(a[name])
                    if name == "srcset" and a.get(name)
                    else [a[name]]
                    if a.get(name)
                    else []
                )
        if tag == "style":
            self._in_style = True
        if a.get("style"):
            self.inline_css.append(a["style"])

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.inline_css.append(data)


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def parse_html(html: str) -> PageRefs:
    refs = PageRefs()
    refs.feed(html)
    refs.close()
    return refs


def css_refs(css: str) -> list[tuple[str, str]]:
    """(kind, url) of what a stylesheet loads: other stylesheets, fonts, and images (icons,
    decorations)."""
    out = [("css", url) for url in CSS_IMPORT.findall(css)]
    for _quote, url in CSS_URL.findall(css):
        url = url.strip()
        if url.startswith(("data:", "#")) or ("css", url) in out:
            continue  # data: URIs are already inside the stylesheet's bytes
        out.append((kind_of(url, default="icon"), url))
    return out


def kind_of(url: str, default: str) -> str:
    path = urlsplit(url).path.lower()
    if path.endswith(FONT_EXT):
        return "font"
    if path.endswith(".css"):
        return "css"
    if path.endswith(".js"):
        return "js"
    return "icon" if path.endswith(IMAGE_EXT) else default


def fetch(base: str, url: str, headers: dict | None = None) -> dict:
    """GET `url` (same origin as `base`) asking for gzip: status, bytes on the wire, bytes decoded,
    encoding."""
    target = urlsplit(urljoin(base, url))
    conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
    try:
        path = target.path + (f"?{target.query}" if target.query else "")
        conn.request("GET", path or "/", headers={"Accept-Encoding": "gzip", **(headers or {})})
        response = conn.getresponse()
        wire = response.read()
        encoding = (response.getheader("Content-Encoding") or "").lower()
        body = gzip.decompress(wire) if encoding == "gzip" else wire
        return {
            "url": path,
            "status": response.status,
            "type": response.getheader("Content-Type", ""),
            "encoding": encoding or None,
            "wire": len(wire),
            "bytes": len(body),
            "gzip6": len(gzip.compress(body, 6)),
            "body": body,
        }
    finally:
        conn.close()


def page_weight(base: str, path: str, headers: dict | None = None, media_limit: int = 40) -> dict:
    """The cold-cache weight of one page: the HTML and each asset it pulls in, once each, and its
    media apart."""
    page = fetch(base, path, headers)
    refs = parse_html(page["body"].decode("utf-8", "replace"))
    todo = [(kind, urljoin(base + path, url)) for kind, url in refs.assets]
    todo += [
        (kind, urljoin(base + path, url)) for css in refs.inline_css for kind, url in css_refs(css)
    ]
    seen, assets = set(), []
    while todo:
        kind, url = todo.pop(0)
        if url in seen or urlsplit(url).netloc != urlsplit(base).netloc:
            continue  # a third-party asset would be a finding of its own; the hub should have none
        seen.add(url)
        got = fetch(base, url, headers)
        assets.append({"kind": kind, **{k: v for k, v in got.items() if k != "body"}})
        if kind == "css" and got["status"] == 200:
            todo += [
                (k, urljoin(url, u)) for k, u in css_refs(got["body"].decode("utf-8", "replace"))
            ]
    media_urls = list(dict.fromkeys(refs.media))[:media_limit]
    media = [fetch(base, urljoin(base + path, url), headers) for url in media_urls]
    return summarise(page, assets, media)


def summarise(page: dict, assets: list[dict], media: list[dict]) -> dict:
    parts = [page] + [
        a for a in assets if a["status"] == 200
    ]  # a broken reference is listed, not weighed
    return {
        "path": page["url"],
        "status": page["status"],
        "encoding": page["encoding"],
        "html": {k: page[k] for k in ("wire", "bytes", "gzip6")},
        "assets": assets,
        "total": {
            "wire": sum(p["wire"] for p in parts),
            "bytes": sum(p["bytes"] for p in parts),
            "gzip6": sum(p["gzip6"] for p in parts),
        },
        "broken": [a["url"] for a in assets if a["status"] != 200],
        "media": {"count": len(media), "wire": sum(m["wire"] for m in media)},
    }
