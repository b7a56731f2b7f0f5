"""The hub under load: the production stack (PostgreSQL, Swift S3, Redis, the OpenSearch stand-in,
gunicorn with 2 web processes, 2 Celery workers and beat) or the embedded defaults, each process
started here so that the fault round can stop and restart it."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
for path in (REPO, HERE.parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import common  # noqa: E402  (bench/common.py: eduhub(), free_port())

BUCKET = "eduhub-load"
METRICS_TOKEN = "load-metrics-" + secrets.token_hex(8)


@dataclass
class Proc:
    """One process of the stack: how to start it again after a fault."""

    role: str
    argv: list[str]
    log: Path
    env: dict
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=REPO,
                start_new_session=True,
                stdin=subprocess.DEVNULL,
            )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
        if self.popen:
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
                self.popen.wait()


@dataclass
class Stack:
    """Everything one load run talks to; `env` is what every `eduhub` command of the run gets."""

    kind: str
    data_dir: Path
    port: int
    env: dict
    procs: list[Proc] = field(default_factory=list)
    services: dict = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def eduhub(self, *args: str) -> str:
        result = common.eduhub(*args, env=self.env)
        if result.returncode != 0:
            raise common.failed(result)
        return result.stdout

    def role(self, role: str) -> list[Proc]:
        return [p for p in self.procs if p.role == role]


def production_env(data_dir: Path) -> tuple[dict, dict]:
    """Start PostgreSQL, Swift, Redis and osmem-server (the test helpers do it) and return the
    hub's environment for them, and the handles the fault round needs."""
    from tests.support import opensearch, postgres, redis, swift

    pg_server = postgres.server_url()
    database = postgres.create_database(pg_server, f"eduhub_load_{secrets.token_hex(4)}")
    s3 = swift.start()
    env = {
        "EDUHUB_DATABASE_URL": database,
        "EDUHUB_STORAGE_URL": f"s3://{BUCKET}?endpoint_url={s3['endpoint_url']}"
        f"&region={s3['region']}",
        "AWS_ACCESS_KEY_ID": s3["access_key"],
        "AWS_SECRET_ACCESS_KEY": s3["secret_key"],
        "EDUHUB_SEARCH_URL": "opensearch+" + opensearch.server().url,
        "EDUHUB_BROKER_URL": redis.server_url(),
    }
    return env, {"postgres": postgres, "swift": swift}


def build(kind: str, data_dir: Path) -> Stack:
    """The stack's environment and its (not yet started) processes."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "EDUHUB_DATA_DIR": str(data_dir),
        "EDUHUB_SECRET_KEY": "load-" + secrets.token_hex(8),
        "EDUHUB_METRICS_TOKEN": METRICS_TOKEN,
        "EDUHUB_LOG_FORMAT": "json",
        "PYTHONPATH": str(REPO),
    }
    services: dict = {}
    if kind == "production":
        extra, services = production_env(data_dir)
        env.update(extra)
    stack = Stack(kind, data_dir, common.free_port(), env, services=services)
    # Beside the data directory, not in it: the fault round fills that disk, and the logs must
    # still say what happened.
    logs = data_dir.with_name(data_dir.name + "-logs")
    logs.mkdir(exist_ok=True)
    serve = [*common.EDUHUB, "serve", "--port", str(stack.port), "--workers", "2"]
    stack.procs.append(Proc("web", serve, logs / "web.log", env))
    if kind == "production":
        for n in (1, 2):
            worker = [*common.EDUHUB, "worker", "--concurrency", "2"]
            stack.procs.append(Proc("worker", worker, logs / f"worker{n}.log", env))
        stack.procs.append(Proc("beat", [*common.EDUHUB, "beat"], logs / "beat.log", env))
    return stack


def start(stack: Stack) -> None:
    """Migrate (and on the production stack make the bucket and the search index, as an
    operator does once), then start every process and wait for /readyz."""
    stack.eduhub("db", "upgrade")
    if stack.kind == "production":
        make_bucket(stack.env)
        stack.eduhub("search", "rebuild")
    for proc in stack.procs:
        proc.start()
    wait_ready(stack.base, stack.procs[0])


def make_bucket(env: dict) -> None:
    import boto3  # only the production stack needs it

    endpoint = env["EDUHUB_STORAGE_URL"].split("endpoint_url=")[1].split("&")[0]
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)


def wait_ready(base: str, web: Proc, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if web.popen and web.popen.poll() is not None:
            raise SystemExit(f"the hub exited {web.popen.returncode}; see {web.log}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(base + "/readyz", timeout=5) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"the hub did not become ready in {timeout:.0f} s; see {web.log}")


def stop(stack: Stack) -> None:
    for proc in reversed(stack.procs):
        proc.stop()
