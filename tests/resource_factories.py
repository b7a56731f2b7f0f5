"""A small world for resource tests: a county with two schools, a contributor, a reviewer, a
teacher."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

from hub.security.principal import Principal
from tests.factories import make_org, make_token, make_user

# The smallest valid PDF: enough for the type sniffer and a viewer.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

_VARIANTS = itertools.count()


def distinct_pdf() -> bytes:
    """PDF_BYTES with its page origin moved: a file of the same size that the next hundred calls
    do not share (identical files are copies of one work, which search shows once)."""
    n = next(_VARIANTS) % 100
    return PDF_BYTES.replace(b"[0 0 200 200]", b"[%d %d 200 200]" % (n // 10, n % 10))


def valid_record(**overrides) -> dict:
    record = {
        "title": "人教版七年级数学上册《有理数的加法》教学课件",
        "description": "通过数轴理解有理数加法法则，配套课堂练习。",
        "stage": "junior",
        "subjects": ["math"],
        "grades": ["g7"],
        "edition": "pep",
        "volume": "vol1",
        "type": "courseware",
        "themes": [],
        "keywords": ["有理数", "加法"],
        "license": "CC-BY-4.0",
        "visibility": "public",
    }
    record.update(overrides)
    return record


@dataclass
class World:
    contributor: Principal
    reviewer: Principal
    teacher: Principal
    outsider: Principal
    county_reviewer: Principal
    tokens: dict


def make_world(hub) -> World:
    make_org(hub, code="xq", kind="county", region="640104", name="兴庆区教育局")
    make_org(
        hub, code="xq-school-1", kind="school", parent="xq", region="640104", name="银川市第一中学"
    )
    make_org(
        hub, code="xq-school-2", kind="school", parent="xq", region="640104", name="银川市第二中学"
    )
    make_org(hub, code="gy", kind="county", region="640402", name="原州区教育局")
    world = World(
        contributor=make_user(hub, email="c@example.cn", org="xq-school-1", role="contributor"),
        reviewer=make_user(hub, email="r@example.cn", org="xq-school-1", role="reviewer"),
        teacher=make_user(hub, email="t@example.cn", org="xq-school-2", role="teacher"),
        outsider=make_user(hub, email="o@example.cn", org="gy", role="teacher"),
        county_reviewer=make_user(hub, email="cr@example.cn", org="xq", role="reviewer"),
        tokens={},
    )
    for email in ("c@example.cn", "r@example.cn", "t@example.cn", "o@example.cn", "cr@example.cn"):
        world.tokens[email.split("@")[0]] = make_token(hub, email)
    return world


def publish(hub, world: World, **overrides) -> dict:
    record = hub.resources.create(world.contributor, valid_record(**overrides))
    hub.files.upload(
        world.contributor,
        record["id"],
        "课件.pdf",
        io.BytesIO(distinct_pdf()),
        content_length=len(PDF_BYTES),
    )
    hub.resources.act(world.contributor, record["id"], "submit")
    return hub.resources.act(world.reviewer, record["id"], "publish", comment="好")
