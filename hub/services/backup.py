"""Backup and restore: a consistent copy of the database and the stored objects, with a manifest.

Layout of a backup directory:
    manifest.json           format, versions, counts, the dump's SHA-256 and every object
                            (sha256, size, mimetype)
    hub.db | hub.pgdump     SQLite through its online backup API, or PostgreSQL through
                            `pg_dump --format=custom` (the password in PGPASSWORD, never in argv)
    objects/ab/cd/<sha256>  the objects, hard-linked from a local store where possible, else
                            copied or downloaded
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, make_url

from hub.db.base import utcnow
from hub.db.migrate import current
from hub.db.models import Blob, Organisation, Resource, ResourceFile, User
from hub.errors import Conflict, InvalidInput, ServiceUnavailable
from hub.storage.base import object_key

FORMAT = "eduhub-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
COUNTED = {
    "organisations": Organisation,
    "users": User,
    "resources": Resource,
    "files": ResourceFile,
    "blobs": Blob,
}

Progress = Callable[[int], None]


@dataclass
class RestoreReport:
    database: str
    objects: int
    restored_objects: int


# -- backup -------------------------------------------------------------------------------------
def backup(hub, target: Path, *, progress: Progress | None = None) -> dict:
    """Write a backup into `target` (created; must be empty). The database is copied first: objects
    are immutable, so every object the copy refers to is still there to be copied after it."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise Conflict(
            f"备份目录 {target} 不是空的，请换一个新目录。"
            f"The backup directory {target} is not empty; choose a new one."
        )
    target.mkdir(parents=True, exist_ok=True)
    dump = _dump_database(hub, target)
    blobs = _blob_types(hub)
    objects = [
        _copy_object(hub, sha256, target, blobs, progress) for sha256 in hub.storage.iter_keys()
    ]
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eduhub_version": _hub_version(),
        "schema_revision": _schema_revision(hub.config.database_url),
        "database": {
            "engine": hub.db.engine.dialect.name,
            "file": dump.name,
            "size": dump.stat().st_size,
            "sha256": sha256_file(dump),
        },
        "counts": {**_counts(hub), "objects": len(objects)},
        "objects": objects,
    }
    _write_json(target / MANIFEST, manifest)
    return manifest


def _dump_database(hub, target: Path) -> Path:
    url = make_url(hub.config.database_url)
    if url.get_backend_name() == "sqlite":
        dump = target / "hub.db"
        with sqlite3.connect(_sqlite_path(url)) as source, sqlite3.connect(dump) as copy:
            source.backup(copy)  # online and consistent, even while the hub writes
        copy.close()
        source.close()
        return dump
    if url.get_backend_name() == "postgresql":
        dump = target / "hub.pgdump"
        _run_pg(
            url,
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={dump}",
        )
        return dump
    raise InvalidInput(
        f"不支持备份 {url.get_backend_name()} 数据库。"
        f"Backing up {url.get_backend_name()} is not supported."
    )


def _copy_object(hub, sha256: str, target: Path, blobs: dict, progress: Progress | None) -> dict:
    destination = target / _relative(sha256)
    destination.parent.mkdir(parents=True, exist_ok=True)
    local = hub.storage.local_path(sha256)
    if local is not None:
        try:
            os.link(
                local, destination
            )  # objects are never rewritten in place, so sharing the inode is safe
        except OSError:
            shutil.copyfile(local, destination)
    else:
        with hub.storage.open(sha256) as source, open(destination, "wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
    if progress:
        progress(1)
    size, mimetype = blobs.get(sha256, (destination.stat().st_size, "application/octet-stream"))
    return {"sha256": sha256, "size": size, "mimetype": mimetype}


# -- restore ------------------------------------------------------------------------------------
def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            f"无法读取备份清单 {path}（{exc}），这不是一个 EduHub 备份目录。"
            f"Cannot read {path} ({exc}): not an EduHub backup directory."
        ) from None
    if manifest.get("format") != FORMAT or manifest.get("format_version", 0) > FORMAT_VERSION:
        raise InvalidInput(
            f"{path} 不是本版本可读的备份。{path} is not a backup this version of EduHub can read."
        )
    return manifest


def verify_backup(source: Path, manifest: dict, *, progress: Progress | None = None) -> list[str]:
    """Problems found, one sentence each: the dump and every object are re-hashed against the
    manifest."""
    source, problems = Path(source), []
    dump = source / manifest["database"]["file"]
    if not dump.is_file() or sha256_file(dump) != manifest["database"]["sha256"]:
        problems.append(f"database dump {dump.name} is missing or does not match its SHA-256")
    for entry in manifest["objects"]:
        path = source / _relative(entry["sha256"])
        if not path.is_file():
            problems.append(f"object {entry['sha256']} is missing")
        elif path.stat().st_size != entry["size"] or sha256_file(path) != entry["sha256"]:
            problems.append(
                f"object {entry['sha256']} is corrupt (its bytes no longer match its SHA-256)"
            )
        if progress:
            progress(1)
    return problems


def restore(
    hub, source: Path, *, force: bool = False, progress: Progress | None = None
) -> RestoreReport:
    """Restore database and objects from `source` after verifying all of it; nothing is touched if
    anything is bad."""
    source = Path(source)
    manifest = read_manifest(source)
    engine = manifest["database"]["engine"]
    if engine != hub.db.engine.dialect.name:
        raise InvalidInput(
            f"备份来自 {engine} 数据库，不能恢复到 {hub.db.engine.dialect.name}。"
            f"The backup is of a {engine} database; it cannot be restored into "
            f"{hub.db.engine.dialect.name}."
        )
    if not force and not database_is_empty(hub):
        raise Conflict(
            "目标数据库已有数据；确认要覆盖请加 --force。The target database is not empty; "
            "add --force to overwrite it."
        )
    problems = verify_backup(source, manifest, progress=progress)
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        raise Conflict(
            f"备份已损坏，未做任何恢复。The backup is damaged; nothing was restored: {shown}",
            errors=[{"field": "backup", "messages": problems}],
        )
    _restore_database(hub, source / manifest["database"]["file"])
    restored = sum(_restore_object(hub, source, entry) for entry in manifest["objects"])
    return RestoreReport(
        database=engine, objects=len(manifest["objects"]), restored_objects=restored
    )


def database_is_empty(hub) -> bool:
    url = make_url(hub.config.database_url)
    if url.get_backend_name() == "sqlite" and not Path(_sqlite_path(url)).exists():
        return True  # a new data directory: don't create the file just to look inside it
    with hub.db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        for model in (Organisation, User, Resource):
            if model.__tablename__ in tables and connection.scalar(
                select(func.count()).select_from(model)
            ):
                return False
    return True


def _restore_database(hub, dump: Path) -> None:
    url = make_url(hub.config.database_url)
    hub.db.dispose()  # no pooled connection may hold the old database open
    if url.get_backend_name() == "sqlite":
        path = Path(_sqlite_path(url))
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(dump) as copy, sqlite3.connect(path) as live:
            copy.backup(live)  # replaces every page of the target, WAL included
        copy.close()
        live.close()
        return
    _run_pg(
        url,
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        str(dump),
    )


def _restore_object(hub, source: Path, entry: dict) -> int:
    if hub.storage.exists(entry["sha256"]):
        return 0
    with open(source / _relative(entry["sha256"]), "rb") as fh:
        staged = hub.storage.stage(fh, max_bytes=entry["size"], expected_length=entry["size"])
    hub.storage.commit(staged, entry["mimetype"])
    return 1


# -- helpers ------------------------------------------------------------------------------------
def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _relative(sha256: str) -> str:

    return object_key(sha256)  # "objects/ab/cd/<sha256>", checked to be a hex digest


def _blob_types(hub) -> dict:
    with hub.db.session() as session:
        return {
            sha: (size, mimetype)
            for sha, size, mimetype in session.execute(
                select(Blob.sha256, Blob.size, Blob.mimetype)
            )
        }


def _counts(hub) -> dict:
    with hub.db.session() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model))
            for name, model in COUNTED.items()
        }


def _schema_revision(database_url: str) -> str | None:
    try:
        return current(database_url)
    except Exception:  # a database made without migrations has no revision to record
        return None


def _hub_version() -> str:
    try:
        return version("eduhub")
    except PackageNotFoundError:
        return "unknown"


def _sqlite_path(url) -> str:
    if not url.database or url.database == ":memory:":
        raise InvalidInput("内存数据库无法备份。An in-memory database cannot be backed up.")
    return url.database


def _libpq_url(url) -> str:
    """SQLAlchemy's `postgresql+psycopg://` as the plain URL the PostgreSQL tools accept, without
    its password: a command line is readable by every local user (ps, /proc/PID/cmdline)."""
    bare = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return bare.render_as_string(hide_password=False)


def _pg_env(url) -> dict:
    """The tool's environment, with the password as PGPASSWORD (only the same user can read
    /proc/PID/environ)."""
    env = {**os.environ}
    env.pop("PGPASSWORD", None)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _run_pg(url, tool: str, *args: str) -> None:
    executable = shutil.which(tool) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), reverse=True)),
        None,
    )
    if executable is None:
        raise ServiceUnavailable(
            f"找不到 {tool}，请安装 PostgreSQL 客户端工具。{tool} was not found: install the "
            f"PostgreSQL client tools (e.g. apt-get install postgresql-client)."
        )
    command = [executable, *args, f"--dbname={_libpq_url(url)}"]
    result = subprocess.run(command, capture_output=True, text=True, env=_pg_env(url))
    if result.returncode != 0:
        raise ServiceUnavailable(f"{tool} 失败。{tool} failed: {result.stderr.strip()[:1000]}")


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
