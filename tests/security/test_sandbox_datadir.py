"""A fresh hub's data directory is private: no group or world bit on any file or directory in it
(issue 9: hub.db and the stored objects were world-readable)."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from config import Config
from hub import create_app
from hub.datadir import private_dir, private_file
from hub.db import Base
from hub.db.models import Preview
from hub.tasks import Task
from tests.resource_factories import PDF_BYTES, make_world, valid_record

LOOSE = stat.S_IRWXG | stat.S_IRWXO


def small_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (0, 90, 200)).save(buf, "PNG")
    return buf.getvalue()


def loose_paths(root: Path) -> list[str]:
    found = [root, *root.rglob("*")]
    return [f"{oct(p.lstat().st_mode & 0o777)} {p}" for p in found if p.lstat().st_mode & LOOSE]


@pytest.fixture
def usual_umask():
    """Most shells and service managers start programs with umask 022: files 0644, dirs 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def fresh_hub(tmp_path, usual_umask):
    config = Config.from_env(data_dir=tmp_path / "var", testing=True)  # the key made on disk
    hub = create_app(config).extensions["eduhub"]
    Base.metadata.create_all(hub.db.engine)
    yield hub
    hub.close()


def test_a_fresh_hub_keeps_its_data_directory_private(fresh_hub):
    hub = fresh_hub
    assert hub.db.is_sqlite and str(hub.config.data_dir) in hub.config.database_url
    world = make_world(hub)
    record = hub.resources.create(world.contributor, valid_record(title="有理数"))
    for name, data in (("讲义.pdf", PDF_BYTES), ("封面.png", small_png())):
        stream = io.BytesIO(data)
        hub.files.upload(world.contributor, record["id"], name, stream, content_length=len(data))
    hub.resources.act(world.contributor, record["id"], "submit")
    hub.resources.act(world.reviewer, record["id"], "publish", comment="好")
    hub.outbox.process()  # previews (objects), extraction, the search index
    hub.tasks.send(Task.PROCESS_OUTBOX)  # a message through the embedded broker's folders

    data_dir = hub.config.data_dir
    with hub.db.session() as session:
        assert session.query(Preview).count() == 2
    for made in ("hub.db", "objects", "index", "broker", "secret_key"):
        assert (data_dir / made).exists(), made
    assert loose_paths(data_dir) == []


def test_stored_objects_are_readable_by_the_hub_user_only(fresh_hub):
    sha256 = fresh_hub.storage.put_bytes(b"org-only lesson plan", "text/plain")
    path = fresh_hub.storage.local_path(sha256)
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
    assert fresh_hub.storage.open(sha256).read() == b"org-only lesson plan"


def test_an_old_world_readable_database_and_data_directory_are_tightened(tmp_path, usual_umask):
    data_dir = tmp_path / "old"
    data_dir.mkdir(mode=0o755)
    (data_dir / "hub.db").touch(mode=0o644)
    os.chmod(data_dir / "hub.db", 0o644)
    config = Config.from_env(data_dir=data_dir, secret_key="test-secret", testing=True)
    hub = create_app(config).extensions["eduhub"]
    try:
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        assert stat.S_IMODE((data_dir / "hub.db").stat().st_mode) == 0o600
    finally:
        hub.close()


def test_private_helpers_create_missing_parents_private(tmp_path, usual_umask):
    private_file(tmp_path / "a" / "b" / "f")
    assert loose_paths(tmp_path / "a") == []
    private_dir(tmp_path / "c" / "d")
    assert loose_paths(tmp_path / "c") == []
