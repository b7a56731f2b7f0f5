"""Running hubs for the browser-boundary security tests: one from a thread, one under gunicorn."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from werkzeug.serving import make_server

from config import Config
from hub import create_app
from hub.db import Base
from tests.factories import PASSWORD, make_token, make_user
from tests.resource_factories import World, make_world, publish, valid_record

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Site:
    """A hub with a small world: a published record, a contributor's draft, an administrator."""

    base_url: str
    world: World
    public_id: str
    draft_id: str
    admin_token: str
    app: object = None


def config_for(data_dir: Path, **overrides) -> Config:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Config.from_env(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url=f"filesystem://{data_dir / 'broker'}",
        secret_key="browser-test-secret",
        **overrides,
    )


def populate(app) -> tuple[World, str, str, str]:
    """Schema, people and two records: (world, public id, draft id, admin token)."""
    hub = app.extensions["eduhub"]
    Base.metadata.create_all(hub.db.engine)
    world = make_world(hub)
    make_user(hub, email="admin@example.cn", admin=True)
    admin_token = make_token(hub, "admin@example.cn")
    public = publish(hub, world)
    draft = hub.resources.create(world.contributor, valid_record(title="草稿：贺兰山岩画"))
    return world, public["id"], draft["id"], admin_token


@contextlib.contextmanager
def threaded_site(data_dir: Path, **overrides):
    app = create_app(config_for(data_dir, **overrides))
    world, public_id, draft_id, admin_token = populate(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(
            f"http://127.0.0.1:{server.server_port}", world, public_id, draft_id, admin_token, app
        )
    finally:
        server.shutdown()
        thread.join()
        app.extensions["eduhub"].close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(url + "/healthz", timeout=5).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz")


@contextlib.contextmanager
def gunicorn_site(data_dir: Path, tmp_dir: Path, env: dict | None = None):
    """The hub under gunicorn (as `eduhub serve` runs it), with its own TMPDIR to watch."""
    app = create_app(config_for(data_dir))
    world, public_id, draft_id, admin_token = populate(app)
    app.extensions["eduhub"].close()
    tmp_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    environment = {
        **os.environ,
        "EDUHUB_DATA_DIR": str(data_dir),
        "EDUHUB_SECRET_KEY": "browser-test-secret",
        "TMPDIR": str(tmp_dir),
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "4", "-w", "1"]
    command += ["-b", f"127.0.0.1:{port}", "--no-control-socket", "hub:create_app()"]
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process)
        yield Site(base_url, world, public_id, draft_id, admin_token), process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def meta_token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def login(base_url: str, email: str, headers: dict | None = None) -> requests.Session:
    """A browser-like session signed in through the login form."""
    browser = requests.Session()
    token = csrf_from(browser.get(base_url + "/login").text)
    response = browser.post(
        base_url + "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/mine"},
        headers=headers or {},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:300]
    return browser
