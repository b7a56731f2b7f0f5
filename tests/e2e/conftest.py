"""A real hub for browser tests: a temporary data directory, published resources indexed, served on
loopback."""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from config import Config
from hub import create_app
from hub.db import Base
from tests.resource_factories import World, make_world, valid_record
from tests.support import need

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# (title, description, overrides, file name, file bytes): a few lessons a Ningxia teacher would look
# for.
LESSON_PLAN = (
    "《黄河文化与宁夏平原》教学设计\n一、教学目标：了解黄河对宁夏平原农业与城市的影响。\n".encode()
    * 40
)
CATALOGUE = [
    (
        "黄河文化与宁夏平原的形成",
        "结合引黄灌区与“塞上江南”的由来，认识黄河对宁夏农业、城市与文化的塑造，"
        "含课堂活动与课后探究。",
        dict(
            stage="senior",
            subjects=["geography"],
            grades=["g10"],
            edition="xiangjiao",
            volume="compulsory-1",
            type="lesson-plan",
            themes=["yellow-river", "modern-agriculture"],
            keywords=["黄河", "引黄灌区", "塞上江南"],
        ),
        "黄河文化教学设计.txt",
        LESSON_PLAN,
    ),
    (
        "黄河文化：从贺兰山岩画到西夏陵",
        "以宁夏文物为线索梳理黄河流域的历史文化，配套图片素材与学习单。",
        dict(
            stage="junior",
            subjects=["history"],
            grades=["g7"],
            edition="tongbian",
            volume="vol1",
            type="courseware",
            themes=["yellow-river", "xixia-culture"],
            keywords=["贺兰山岩画", "西夏陵"],
        ),
        "黄河文化课件.pdf",
        None,
    ),
    (
        "人教版七年级数学上册《有理数的加法》教学课件",
        "通过数轴理解有理数加法法则，配套课堂练习。",
        dict(),
        "有理数的加法.pdf",
        None,
    ),
    (
        "六盘山红色文化研学手册",
        "长征精神进课堂：六盘山红军长征纪念馆研学路线与任务单。",
        dict(
            stage="junior",
            subjects=["morality-law"],
            grades=["g8"],
            edition="tongbian",
            volume="vol2",
            type="study-guide",
            themes=["red-culture", "liupan-mountains"],
            keywords=["长征", "研学"],
        ),
        "研学手册.pdf",
        None,
    ),
]


@dataclass
class LiveHub:
    url: str
    app: object
    world: World
    records: list[dict]
    files: dict[str, bytes]  # resource id -> the bytes of its file


def _config(data_dir: Path) -> Config:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Config.from_env(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url="memory://",  # no worker: the tests run the outbox themselves
        secret_key="e2e-secret",
        testing=True,
    )


def _publish_catalogue(hub, world: World) -> tuple[list[dict], dict[str, bytes]]:
    from tests.resource_factories import PDF_BYTES

    records, files = [], {}
    for title, description, overrides, name, data in CATALOGUE:
        data = data or PDF_BYTES
        record = hub.resources.create(
            world.contributor, valid_record(title=title, description=description, **overrides)
        )
        hub.files.upload(
            world.contributor, record["id"], name, io.BytesIO(data), content_length=len(data)
        )
        hub.resources.act(world.contributor, record["id"], "submit")
        records.append(hub.resources.act(world.reviewer, record["id"], "publish", comment="通过"))
        files[record["id"]] = data
    hub.outbox.process()  # what the worker does after the commit: index the published records
    return records, files


@pytest.fixture(scope="session")
def live_hub(tmp_path_factory):
    app = create_app(_config(tmp_path_factory.mktemp("e2e") / "var"))
    hub = app.extensions["eduhub"]
    Base.metadata.create_all(hub.db.engine)
    world = make_world(hub)
    records, files = _publish_catalogue(hub, world)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveHub(f"http://127.0.0.1:{server.server_port}", app, world, records, files)
    server.shutdown()
    thread.join()
    hub.close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        need("Chromium", f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        accept_downloads=True, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
