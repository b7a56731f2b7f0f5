"""A throwaway single-node OpenStack Swift with the s3api middleware: a real S3-compatible server
for tests."""

from __future__ import annotations

import atexit
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

PYTHON = (
    "/usr/bin/python3"  # Debian's interpreter: python3-swift is installed for it, not for pyenv's
)
ACCESS_KEY, SECRET_KEY, REGION = "test:tester", "testing", "us-east-1"
RING_NAMES = ("account", "container", "object")
SERVERS = (*RING_NAMES, "proxy")
READY_TIMEOUT = 60.0

# The daemons read swift.conf from a module constant at import time; pointing it at our own file
# before anything else is imported keeps the tests off /etc/swift.
# PR_SET_PDEATHSIG: the daemons die with the test process even when it is killed without clean-up.
BOOT = """
import ctypes, signal, sys
ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
import swift.common.utils as utils
utils.SWIFT_CONF_FILE = sys.argv[1]
from swift.common.wsgi import run_wsgi
name, conf = sys.argv[2], sys.argv[3]
kwargs = {}
if name == "object-server":
    from swift.obj import server
    kwargs["global_conf_callback"] = server.global_conf_callback
sys.exit(run_wsgi(conf, name, verbose=True, **kwargs))
"""

# Rings of one replica on one device, the layout of a single-node test cluster.
RINGS = """
import sys
from swift.common.ring import RingBuilder
root = sys.argv[1]
for name, port in zip(("account", "container", "object"), sys.argv[2:]):
    builder = RingBuilder(4, 1, 0)
    builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port),
                     "device": "d1", "weight": 1, "meta": ""})
    builder.rebalance()
    builder.get_ring().save(f"{root}/{name}.ring.gz")
"""


class Unavailable(RuntimeError):
    """Swift cannot be started here (packages missing, or it did not come up)."""


_state: dict | None = None


def start() -> dict:
    """Start Swift once per process; returns `{endpoint_url, access_key, secret_key, region}`."""
    global _state
    if _state is not None:
        return _state["info"]
    external = os.environ.get("EDUHUB_TEST_S3_ENDPOINT_URL")
    if external:
        info = dict(
            endpoint_url=external,
            access_key=os.environ.get("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            region=os.environ.get("AWS_DEFAULT_REGION", REGION),
        )
        _state = {"info": info, "procs": [], "root": None}
        return info
    _check_installed()
    root = Path(tempfile.mkdtemp(prefix="eduhub-swift-"))
    ports = {name: _free_port() for name in SERVERS}
    try:
        _write_config(root, ports)
        _build_rings(root, ports)
        _state = {"procs": [], "root": root, "info": None}
        atexit.register(stop)
        for name in SERVERS:
            _state["procs"].append(
                _spawn(root, name)
            )  # one by one, so a failure still stops the others
        _wait_ready(root, ports, _state["procs"])
    except BaseException:
        stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    _state["info"] = dict(
        endpoint_url=f"http://127.0.0.1:{ports['proxy']}",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        region=REGION,
    )
    return _state["info"]


def stop() -> None:
    """Stop the daemons this process started and remove their files."""
    global _state
    state, _state = _state, None
    if not state:
        return
    for proc in state["procs"]:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in state["procs"]:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if state["root"]:
        shutil.rmtree(state["root"], ignore_errors=True)


def pause_object_server() -> None:
    """Stop the object server (a fault for the load bench): the proxy answers 503 to object reads
    and writes until `resume_object_server`."""
    proc = _state["procs"][SERVERS.index("object")]
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def resume_object_server() -> None:
    """Start the object server again, with its data as it was."""
    index = SERVERS.index("object")
    _state["procs"][index] = _spawn(_state["root"], "object")


def s3_server():
    """Body of a session fixture: yields the server info, or skips (fails in CI) when Swift is
    unavailable."""
    from tests.support import need

    try:
        info = start()
    except Unavailable as exc:
        need("Swift", str(exc))
    yield info
    stop()


def _check_installed() -> None:
    missing = [p for p in (PYTHON, "/usr/bin/swift-proxy-server") if not os.path.exists(p)]
    if missing:
        raise Unavailable(
            f"missing {', '.join(missing)}; install Debian's swift, swift-proxy, swift-account, "
            "swift-container, swift-object and python3-swift"
        )
    probe = subprocess.run(
        [PYTHON, "-c", "import swift.common.middleware.s3api"], capture_output=True
    )
    if probe.returncode != 0:
        raise Unavailable("python3-swift with s3api cannot be imported by /usr/bin/python3")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_config(root: Path, ports: dict) -> None:
    (root / "node" / "d1").mkdir(parents=True)
    (root / "run").mkdir()
    (root / "swift.conf").write_text(SWIFT_CONF)
    common = dict(root=root, user=getpass.getuser())
    for name in RING_NAMES:
        text = STORAGE_CONF.format(name=name, port=ports[name], **common)
        (root / f"{name}-server.conf").write_text(text)
    (root / "proxy-server.conf").write_text(
        PROXY_CONF.format(port=ports["proxy"], region=REGION, **common)
    )


def _build_rings(root: Path, ports: dict) -> None:
    # One interpreter for all three rings: swift-ring-builder would cost a second of imports per
    # call.
    done = subprocess.run(
        [PYTHON, "-c", RINGS, str(root), *(str(ports[n]) for n in RING_NAMES)],
        capture_output=True,
        text=True,
        cwd=root,
    )
    if done.returncode != 0:
        raise Unavailable(f"building the swift rings failed: {done.stdout}{done.stderr}")


def _spawn(root: Path, name: str) -> subprocess.Popen:
    with open(root / f"{name}.log", "wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                PYTHON,
                "-c",
                BOOT,
                str(root / "swift.conf"),
                f"{name}-server",
                str(root / f"{name}-server.conf"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=root,
            start_new_session=True,
        )


def _wait_ready(root: Path, ports: dict, procs: list) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    pending = dict(ports)
    while pending:
        for proc, name in zip(procs, SERVERS):
            if proc.poll() is not None:
                tail = (root / f"{name}.log").read_text(errors="replace")[-2000:]
                raise Unavailable(f"swift {name}-server exited with {proc.returncode}:\n{tail}")
        for name, port in list(pending.items()):
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthcheck", timeout=2).ok:
                    del pending[name]
            except requests.RequestException:
                pass
        if time.monotonic() > deadline:
            raise Unavailable(
                f"swift did not become ready in {READY_TIMEOUT:.0f} s: {sorted(pending)}"
            )
        if pending:
            time.sleep(0.1)


SWIFT_CONF = """\
[swift-hash]
swift_hash_path_suffix = eduhub-test
swift_hash_path_prefix = eduhub-test

[storage-policy:0]
name = Policy-0
default = yes

[swift-constraints]
max_meta_value_length = 2048
"""

STORAGE_CONF = """\
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
user = {user}
swift_dir = {root}
devices = {root}/node
mount_check = false
log_level = WARNING
log_name = {name}-server

[pipeline:main]
pipeline = healthcheck {name}-server

[app:{name}-server]
use = egg:swift#{name}

[filter:healthcheck]
use = egg:swift#healthcheck
"""

PROXY_CONF = """\
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
user = {user}
swift_dir = {root}
log_level = WARNING
log_name = proxy-server

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api \
tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:s3api]
use = egg:swift#s3api
location = {region}
s3_acl = false
check_bucket_owner = false

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
"""
