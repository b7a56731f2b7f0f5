"""`eduhub check`, `eduhub backup DIR` and `eduhub restore DIR` through click, on embedded data
directories."""

import json
import os

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from config import Config
from hub import create_app
from hub.cli import main
from hub.db import Base
from hub.db.models import Resource, ResourceFile
from tests.resource_factories import PDF_BYTES, valid_record


class DataDir:
    """One hub's environment; `run` invokes the CLI with it, `hub()` opens the hub it wrote to."""

    def __init__(self, path, monkeypatch):
        self.path, self.monkeypatch = path, monkeypatch
        self.runner = CliRunner()

    def env(self):
        self.monkeypatch.setenv("EDUHUB_DATA_DIR", str(self.path))
        self.monkeypatch.setenv("EDUHUB_DATABASE_URL", f"sqlite:///{self.path / 'hub.db'}")

    def run(self, *args, ok=True):
        self.env()
        result = self.runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result

    def hub(self):
        self.env()
        return create_app(Config.from_env()).extensions["eduhub"]

    def create_schema(self):
        hub = self.hub()
        Base.metadata.create_all(hub.db.engine)
        hub.close()


@pytest.fixture
def source(tmp_path, monkeypatch):
    for name in (
        "EDUHUB_STORAGE_URL",
        "EDUHUB_SEARCH_URL",
        "EDUHUB_BROKER_URL",
        "EDUHUB_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    data = DataDir(tmp_path / "source", monkeypatch)
    data.create_schema()
    data.run(
        "orgs",
        "create",
        "--code",
        "nx",
        "--name",
        "宁夏",
        "--kind",
        "province",
        "--region",
        "640000",
    )
    (tmp_path / "a.pdf").write_bytes(PDF_BYTES)
    (tmp_path / "b.pdf").write_bytes(PDF_BYTES.replace(b"200 200", b"300 300"))
    lines = [
        valid_record(title="有理数的加法", files=[{"name": "讲义.pdf", "path": "a.pdf"}]),
        valid_record(title="赵州桥", files=[{"name": "课件.pdf", "path": "b.pdf"}]),
    ]
    (tmp_path / "r.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8"
    )
    data.run("import", tmp_path / "r.jsonl", "--org", "nx", "--publish")
    return data


def files_of(data):
    """{(resource id, title, file name): bytes} of every file in that data directory."""
    hub = data.hub()
    try:
        out = {}
        for key, sha256 in _hashes(hub).items():
            with hub.storage.open(sha256) as fh:
                out[key] = fh.read()
        return out
    finally:
        hub.close()


def test_check_passes_on_a_healthy_store(source):
    assert "2 objects checked, 0 bad." in source.run("check").stdout


def test_check_finds_a_flipped_byte_and_names_the_resource(source):
    hub = source.hub()
    sha256 = [sha for (_, title, _), sha in _hashes(hub).items() if title == "赵州桥"][0]
    hub.close()
    path = next(source.path.rglob(sha256))
    data = bytearray(path.read_bytes())
    data[5] ^= 0x20
    os.chmod(path, 0o600)
    path.write_bytes(bytes(data))
    result = source.run("check", ok=False)
    assert f"CORRUPT {sha256}" in result.stderr and "赵州桥" in result.stderr
    assert "2 objects checked, 1 bad." in result.stdout


def test_backup_and_restore_into_a_new_data_dir_give_the_same_records_and_bytes(
    source, tmp_path, monkeypatch
):
    source.run("backup", tmp_path / "bk")
    target = DataDir(tmp_path / "target", monkeypatch)
    result = target.run("restore", tmp_path / "bk")
    assert "Restored the sqlite database and 2 objects" in result.stdout
    assert files_of(target) == files_of(source) and len(files_of(target)) == 2
    assert "0 bad" in target.run("check").stdout


def test_restore_detects_a_corrupt_object_in_the_backup(source, tmp_path, monkeypatch):
    source.run("backup", tmp_path / "bk")
    victim = next(p for p in (tmp_path / "bk" / "objects").rglob("*") if p.is_file())
    data = victim.read_bytes()
    victim.unlink()  # hard-linked to the live store: replace, don't edit in place
    victim.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    target = DataDir(tmp_path / "target", monkeypatch)
    result = target.run("restore", tmp_path / "bk", ok=False)
    assert victim.name in result.output and "corrupt" in result.output


def test_restore_refuses_a_database_with_data_unless_forced(source, tmp_path):
    source.run("backup", tmp_path / "bk")
    assert "--force" in source.run("restore", tmp_path / "bk", ok=False).output
    source.run("restore", tmp_path / "bk", "--force")
    assert len(files_of(source)) == 2


def _hashes(hub):
    with hub.db.session() as session:
        rows = session.execute(
            select(Resource.id, Resource.title, ResourceFile.name, ResourceFile.sha256).join(
                ResourceFile, ResourceFile.resource_id == Resource.id
            )
        ).all()
    return {(rid, title, name): sha for rid, title, name, sha in rows}
