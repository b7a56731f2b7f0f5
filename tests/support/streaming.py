"""A client that streams a request body by hand and watches how much the server put on disk."""

from __future__ import annotations

import contextlib
import os
import select
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

BOUNDARY = "eduhubboundary"
BLOCK = 64 * 1024


@dataclass
class Outcome:
    status: int | None
    sent: int
    peak_on_disk: int


def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(child) for child in task.read_text().split()]
    return pids


def bytes_on_disk(pid: int, dirs: Iterable[Path]) -> int:
    """Files under `dirs`, plus files the server holds open there (unlinked temp files too)."""
    roots = [str(d) for d in dirs]
    total = sum(f.stat().st_size for d in dirs if d.exists() for f in d.rglob("*") if f.is_file())
    for process in process_tree(pid):
        for fd in Path(f"/proc/{process}/fd").glob("*"):
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith(tuple(roots)) and target.endswith("(deleted)"):
                    total += fd.stat().st_size
    return total


def multipart_head(filename: str = "big.bin") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


def endless(first: bytes = b"", limit: int = 64 * 1024 * 1024) -> Iterator[bytes]:
    """`first`, then zeros: up to `limit` bytes (enough to pass any limit under test by far)."""
    yield first
    block = b"\0" * BLOCK
    for _ in range(limit // BLOCK):
        yield block


def chunked(blocks: Iterable[bytes]) -> Iterator[bytes]:
    for block in blocks:
        if block:
            yield b"%x\r\n" % len(block) + block + b"\r\n"


def request_head(method: str, path: str, headers: dict) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def send(port: int, head: bytes, body: Iterable[bytes], watch: Callable[[], int]) -> Outcome:
    """Send until the server answers (or stops reading); watch the disk every megabyte."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(10)  # a server that stops reading is an answer too: then read what it said
    sent, peak, next_look = 0, watch(), 1024 * 1024
    try:
        sock.sendall(head)
        for block in body:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered before the body ended
            sock.sendall(block)
            sent += len(block)
            if sent >= next_look:
                peak, next_look = max(peak, watch()), next_look + 1024 * 1024
    except (BrokenPipeError, ConnectionResetError, TimeoutError):
        pass
    peak = max(peak, watch())
    return Outcome(_status(sock), sent, peak)


def _status(sock: socket.socket) -> int | None:
    sock.settimeout(60)
    data = b""
    with contextlib.suppress(OSError):
        while b"\r\n" not in data:
            piece = sock.recv(4096)
            if not piece:
                break
            data += piece
    sock.close()
    parts = data.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
