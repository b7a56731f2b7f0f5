"""/admin/sources shows a school mirror: its selection, window, cap, and what is left to fetch."""

from __future__ import annotations

from hub.security.principal import SYSTEM
from tests.integration.web.test_admin_pages import admin, log_in  # noqa: F401  (fixture)
from tests.support.mirrors import Parent, ParentFile, at, pdf


def test_the_sources_page_shows_what_a_mirror_holds_and_has_left(client, admin, hub):  # noqa: F811
    parent = Parent(delay=0)
    parent.add("r1", "primary", ParentFile("a.pdf", pdf(3 * 1024 * 1024)))
    parent.add("r2", "primary", ParentFile("b.pdf", pdf(1024)))
    parent.start()
    try:
        source = hub.sources.create(
            SYSTEM,
            {"name": "county", "kind": "hub", "url": parent.url, "allow_private_host": True},
        )
        settings = {"filter": ["stage=primary"], "window": "22:00-06:00", "rate": "2MB/s"}
        hub.mirrors.configure(SYSTEM, source["id"], settings)
        hub.sync.run(hub.sync.start(SYSTEM, source["id"])["id"])
        hub.mirrors.set_clock(lambda: at(12))
        log_in(client, "admin@example.cn")
        html = client.get("/admin/sources").get_data(as_text=True)
    finally:
        parent.kill()
    assert "学校镜像" in html and "stage=primary" in html and "22:00-06:00 (Asia/Shanghai)" in html
    assert "2026-12-07 22:00 开始" in html and "2MB/s" in html
    assert "2 个文件，剩余 3.0 MB" in html and "0 个文件" in html
