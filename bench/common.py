"""Shared bench plumbing: a hub under gunicorn on a temp data dir, its accounts and records, memory
and CPU sampling."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from statistics import median  # noqa: F401  (re-exported for the bench scripts)

from hub.tasks.memory import MemoryTaskQueue

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

WORKERS = 2
# `eduhub` run by the interpreter running the bench, so neither PATH nor an activated venv matters.
EDUHUB = [sys.executable, "-c", "from hub.cli import main; main(prog_name='eduhub')"]


def eduhub(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `eduhub ARGS` in the repository (output captured); the caller judges the exit status."""
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**(env or os.environ), "PYTHONPATH": python_path}
    return subprocess.run(
        [*EDUHUB, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def failed(result: subprocess.CompletedProcess, why: str = "") -> SystemExit:
    """The error that stops a bench: the command, its exit status, why, the end of its output."""
    command = " ".join(["eduhub", *result.args[len(EDUHUB) :]])
    return SystemExit(
        f"{command} exited {result.returncode}{': ' + why if why else ''}\n"
        f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> dict:
    """What a figure depends on: cores, the load others put on them, versions."""
    import gunicorn

    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "kernel": platform.release(),
        "python": platform.python_version(),
        "gunicorn": gunicorn.__version__,
    }


# --- the hub -----------------------------------------------------------------------------------


def hub_config(data_dir: Path, database_url: str = ""):
    """The embedded defaults (SQLite, local objects) rooted in `data_dir`, whatever the caller's
    environment says; `database_url` instead of SQLite when given."""
    from config import Config

    data_dir = Path(data_dir)
    return Config.from_env(
        data_dir=data_dir,
        database_url=database_url or f"sqlite:///{data_dir / 'hub.db'}",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url=f"filesystem://{data_dir / 'broker'}",
        secret_key="bench",
    )


def prepare_hub(data_dir: Path, database_url: str = ""):
    """Migrate a fresh database and make a school, a contributor with a token and a reviewer;
    returns (hub, world)."""
    from hub.bootstrap import bootstrap
    from tests.factories import make_org, make_token, make_user

    config = hub_config(data_dir, database_url)
    try:
        from hub.db import migrate

        migrate.upgrade(config.database_url)
    except ImportError:
        from sqlalchemy import create_engine

        from hub.db.base import Base

        Base.metadata.create_all(create_engine(config.database_url))
    hub = bootstrap(config)
    hub.tasks = MemoryTaskQueue()  # no task worker runs during a bench; outbox rows simply wait
    make_org(hub, code="bench-school", kind="school", region="640104", name="银川市基准测试学校")
    world = {
        "contributor": make_user(hub, email="c@bench.cn", org="bench-school", role="contributor"),
        "reviewer": make_user(hub, email="r@bench.cn", org="bench-school", role="reviewer"),
        "token": make_token(hub, "c@bench.cn", name="bench"),
    }
    return hub, world


def count(data_dir: Path, where: str = "TRUE") -> int:
    """Resources in the database matching `where` (SQL): what a step really made."""
    from sqlalchemy import create_engine, text

    engine = create_engine(hub_config(data_dir).database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM resources WHERE {where}")).scalar()
    finally:
        engine.dispose()


PUBLISHED = "status = 'published' AND is_latest"


def make_draft(hub, world, title: str = "黄河文化微课：沙坡头的治沙故事") -> str:
    from tests.resource_factories import valid_record

    return hub.resources.create(world["contributor"], valid_record(title=title))["id"]


def publish(hub, world, resource_id: str) -> None:
    hub.resources.act(world["contributor"], resource_id, "submit")
    hub.resources.act(world["reviewer"], resource_id, "publish", comment="基准测试")


# --- servers -----------------------------------------------------------------------------------


class Server:
    """A gunicorn (or nginx) subprocess on a loopback port; stopped with SIGTERM on exit."""

    def __init__(
        self,
        argv: list[str],
        port: int,
        log_path: Path,
        env: dict | None = None,
        ready_path: str = "/",
    ):
        self.argv, self.port, self.log_path, self.ready_path = (
            argv,
            port,
            Path(log_path),
            ready_path,
        )
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=REPO,
            start_new_session=True,
        )
        log.close()
        self._wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(
                self.proc.pid, signal.SIGTERM
            )  # its own session: master and workers, nothing else
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited:\n{self._log_tail()}")
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # any HTTP answer means it is listening
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server on port {self.port} not ready:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        return "(no log)"


def hub_server(data_dir: Path, port: int, workers: int = WORKERS, database_url: str = "") -> Server:
    """The hub as `eduhub serve` runs it (same gunicorn options), minus the embedded task worker."""
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "serve-hub",
        str(data_dir),
        str(port),
        str(workers),
        database_url,
    ]
    return Server(argv, port, Path(data_dir) / "gunicorn-hub.log", ready_path="/healthz")


def wsgi_server(
    app_spec: str, port: int, log_path: Path, workers: int = WORKERS, env: dict | None = None
) -> Server:
    """Any WSGI app under gunicorn with the hub's own options, so only the application differs."""
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "serve-app",
        app_spec,
        str(port),
        str(workers),
    ]
    return Server(argv, port, log_path, env=env)


def _serve_hub(data_dir: str, port: str, workers: str, database_url: str = "") -> None:
    from hub.cli.serve import HubApplication, gunicorn_options

    HubApplication(
        hub_config(Path(data_dir), database_url),
        gunicorn_options("127.0.0.1", int(port), int(workers), 8),
    ).run()


def _serve_app(app_spec: str, port: str, workers: str) -> None:
    import importlib

    from gunicorn.app.base import BaseApplication

    from hub.cli.serve import gunicorn_options

    module, _, attr = app_spec.partition(":")

    class App(BaseApplication):
        def load_config(self):
            for key, value in gunicorn_options("127.0.0.1", int(port), int(workers), 8).items():
                if value is not None and key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self):
            return getattr(importlib.import_module(module), attr)

    App().run()


# --- memory ------------------------------------------------------------------------------------


class RssSampler:
    """Peak memory of a process tree (gunicorn master + workers), sampled every 50 ms.

    Summed RSS counts the pages a forked worker still shares with its master once per process;
    summed PSS divides each shared page among its sharers, so it is the memory the tree really
    holds. Both are kept.
    """

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval = pid, interval
        self.idle_rss, self.idle_pss = tree_memory(pid)
        self.peak_rss, self.peak_pss = self.idle_rss, self.idle_pss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return round(self.peak_rss / 1e6, 1)

    def summary(self) -> dict:
        mb = lambda n: round(n / 1e6, 1)  # noqa: E731
        return {
            "idle_rss_mb": mb(self.idle_rss),
            "peak_rss_mb": mb(self.peak_rss),
            "idle_pss_mb": mb(self.idle_pss),
            "peak_pss_mb": mb(self.peak_pss),
        }

    def _run(self) -> None:
        while True:
            rss, pss = tree_memory(self.pid)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            if self._stop.wait(self.interval):
                return


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of `pid` and all its descendants."""
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        one_rss, one_pss = _memory(current)
        rss, pss = rss + one_rss, pss + one_pss
        todo.extend(_children(current))
    return rss, pss


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its living descendants: a cost the load
    hardly changes."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
        todo.extend(_children(current))
    return total / os.sysconf("SC_CLK_TCK")


def _memory(pid: int) -> tuple[int, int]:
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                values[key] = int(rest.split()[0]) * 1024
    return values.get("Rss", 0), values.get("Pss", 0)


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in os.scandir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                found += [int(x) for x in Path(task.path, "children").read_text().split()]
    return found


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    commands = {"serve-hub": _serve_hub, "serve-app": _serve_app}
    commands[sys.argv[1]](*sys.argv[2:])
