"""A throwaway redis-server on a spare loopback port, unless EDUHUB_TEST_REDIS_URL names one."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time

READY_TIMEOUT = 20.0
_server: tuple[subprocess.Popen, str, str] | None = None


class Unavailable(RuntimeError):
    """No Redis was given and none could be started here."""


def server_url() -> str:
    given = os.environ.get("EDUHUB_TEST_REDIS_URL")
    if given:
        return given
    global _server
    if _server is None:
        _server = _start()
        atexit.register(stop)
    return _server[1]


def stop() -> None:
    global _server
    if _server is None:
        return
    process, _, workdir = _server
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(workdir, ignore_errors=True)
    _server = None


def _start() -> tuple[subprocess.Popen, str, str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        raise Unavailable("redis-server is not installed (Debian package redis-server)")
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="eduhub-redis-")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Unavailable(f"redis-server exited with {process.returncode}")
        if _answers(port):
            return process, f"redis://127.0.0.1:{port}/0", workdir
        time.sleep(0.05)
    process.kill()
    raise Unavailable("redis-server did not answer PING in time")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
