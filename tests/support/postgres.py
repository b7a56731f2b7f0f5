"""A throwaway PostgreSQL server for the tests (or the one EDUHUB_TEST_DATABASE_URL names), and
databases on it."""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

from sqlalchemy.engine import make_url

TEMPLATE = "eduhub_template"
PREFIX = "eduhub-pg-"
# Durability buys nothing in a test cluster that is deleted at exit; turning it off makes DDL
# several times faster.
FAST_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "listen_addresses=127.0.0.1",
)


class Unavailable(Exception):
    """No server was given and none could be started here."""


@dataclass
class _Cluster:
    data_dir: str
    pg_ctl: str
    owner: str | None  # run as this system user (PostgreSQL refuses to run as root)
    url: str


_cluster: _Cluster | None = None
_copy_clause: dict[str, str] = {}  # server URL -> how CREATE DATABASE copies the template there


def server_url() -> str:
    """A `postgresql+psycopg://` URL of a server where the tests may create databases."""
    global _cluster
    given = os.environ.get("EDUHUB_TEST_DATABASE_URL")
    if given:
        return given
    if _cluster is None:
        _cluster = _start()
        atexit.register(stop)
    return _cluster.url


def create_database(server: str, name: str, *, with_schema: bool = False) -> str:
    """Create database `name` and return its URL: copied from an empty UTF-8 template, or with
    `with_schema` from a template that already has every model table (creating the tables per test
    costs seconds)."""
    if server not in _copy_clause:
        _copy_clause[server] = _ensure_template(server)
    template = _schema_template(server) if with_schema else TEMPLATE
    _execute(server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"{_copy_clause[server]}')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _schema_template(server: str) -> str:
    """A template with the models' tables, named by a hash of their DDL so a changed model gets a
    new one."""
    import hashlib

    from sqlalchemy import create_engine
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    from hub.db import Base

    ddl = "".join(
        str(CreateTable(t).compile(dialect=postgresql.dialect()))
        for t in Base.metadata.sorted_tables
    )
    name = f"{TEMPLATE}_{hashlib.sha256(ddl.encode()).hexdigest()[:12]}"
    with _connect(server) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return name
    building = f"{name}_build_{os.getpid()}"
    _execute(server, f'CREATE DATABASE "{building}" TEMPLATE "{TEMPLATE}"{_copy_clause[server]}')
    engine = create_engine(make_url(server).set(database=building))
    Base.metadata.create_all(engine)
    engine.dispose()
    try:  # rename into place: a concurrent test process may have won the race, which is fine
        _execute(server, f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    except Exception:
        _execute(server, f'DROP DATABASE IF EXISTS "{building}"')
    return name


def drop_database(server: str, name: str) -> None:
    # FORCE: a test that forgot to dispose its engine must not make the drop fail.
    _execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop() -> None:
    """Stop the throwaway server, if this process started one, and delete its files."""
    global _cluster
    cluster, _cluster = _cluster, None
    if cluster is None:
        return
    _copy_clause.pop(cluster.url, None)
    _run_as(
        cluster.owner,
        [cluster.pg_ctl, "-D", cluster.data_dir, "-m", "immediate", "-w", "stop"],
        check=False,
    )
    shutil.rmtree(os.path.dirname(cluster.data_dir), ignore_errors=True)


def restart() -> None:
    """Restart this process's throwaway server (a fault for the load bench): every connection is
    cut, the same port and data come back."""
    cluster = _cluster
    if cluster is None:
        raise Unavailable("no server was started by this process: nothing to restart")
    # -l: the server must not inherit our pipes, or waiting for pg_ctl would wait for the server.
    log = os.path.join(os.path.dirname(cluster.data_dir), "log")
    argv = [cluster.pg_ctl, "-D", cluster.data_dir, "-l", log, "-m", "fast", "-w", "restart"]
    _run_as(cluster.owner, argv)


def _start() -> _Cluster:
    bindir = _find_bindir()
    owner = _owner()
    _reap_orphans(os.path.join(bindir, "pg_ctl"), owner)
    base = tempfile.mkdtemp(prefix=PREFIX)
    data_dir = os.path.join(base, "data")
    with open(os.path.join(base, "owner.pid"), "w") as fh:
        fh.write(str(os.getpid()))
    if owner:
        _chown(base, owner)
    _run_as(
        owner,
        [
            os.path.join(bindir, "initdb"),
            "-D",
            data_dir,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
    )
    pg_ctl = os.path.join(bindir, "pg_ctl")
    for _attempt in range(3):  # a spare port can be taken between choosing and binding it
        port = _spare_port()
        options = " ".join(f"-c {s}" for s in FAST_SETTINGS + (f"unix_socket_directories={base}",))
        done = _run_as(
            owner,
            [
                pg_ctl,
                "-D",
                data_dir,
                "-l",
                os.path.join(base, "log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {port} {options}",
                "start",
            ],
            check=False,
        )
        if done.returncode == 0:
            return _Cluster(
                data_dir, pg_ctl, owner, f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
            )
    log = _read(os.path.join(base, "log"))
    shutil.rmtree(base, ignore_errors=True)
    raise Unavailable(f"pg_ctl could not start a server: {log[-2000:]}")


def _reap_orphans(pg_ctl: str, owner: str | None) -> None:
    """Stop clusters left by test runs that were killed before their atexit ran (their process is
    gone)."""
    for pid_file in glob.glob(os.path.join(tempfile.gettempdir(), PREFIX + "*", "owner.pid")):
        base = os.path.dirname(pid_file)
        if _alive(int(_read(pid_file) or 0)):
            continue
        _run_as(
            owner,
            [pg_ctl, "-D", os.path.join(base, "data"), "-m", "immediate", "-w", "stop"],
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _find_bindir() -> str:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.insert(0, os.path.dirname(os.path.realpath(found)))
    for bindir in candidates:
        if all(
            os.access(os.path.join(bindir, tool), os.X_OK)
            for tool in ("initdb", "pg_ctl", "postgres")
        ):
            return bindir
    raise Unavailable(
        "no initdb/pg_ctl found (install the Debian package 'postgresql' "
        "or set EDUHUB_TEST_DATABASE_URL)"
    )


def _version_key(path: str) -> float:
    try:
        return float(path.split("/")[-2])
    except ValueError:
        return 0.0


def _owner() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable(
            "running as root and there is no 'postgres' system user to run the server as"
        ) from None
    return "postgres"


def _chown(path: str, user: str) -> None:
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _run_as(user: str | None, argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    # Server output goes to its log file; stdin closed so nothing waits on a terminal.
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd="/")
    if check and done.returncode != 0:
        raise Unavailable(f"{' '.join(argv)} failed: {done.stderr.strip()[-2000:]}")
    return done


def _spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ensure_template(server: str) -> str:
    """Make the template once; return the copy clause this server understands."""
    import psycopg

    with _connect(server) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE,)).fetchone():
            try:
                conn.execute(f"CREATE DATABASE \"{TEMPLATE}\" TEMPLATE template0 ENCODING 'UTF8'")
            except psycopg.errors.DuplicateDatabase:
                pass  # another test process made it first
        # FILE_COPY (PostgreSQL 15+): copying a small template's files is twice as fast as through
        # the WAL.
        return " STRATEGY = FILE_COPY" if conn.info.server_version >= 150000 else ""


def _execute(server: str, sql: str) -> None:
    import psycopg

    for attempt in range(20):
        try:
            with _connect(server) as conn:
                conn.execute(sql)
            return
        except psycopg.errors.ObjectInUse:
            # Another process is copying the same template at this moment.
            if attempt == 19:
                raise
            time.sleep(0.1)


def _connect(server: str):
    import psycopg

    url = make_url(server).set(drivername="postgresql")
    return psycopg.connect(
        url.render_as_string(hide_password=False), autocommit=True, connect_timeout=10
    )


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""
