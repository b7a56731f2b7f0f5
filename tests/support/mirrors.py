"""A parent hub for mirror tests: a changes feed and files served with `Range`, throttled,
killable mid-file, and able to lie (wrong size, wrong hash, wrong range, 200 for a range)."""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hub.db.models import Resource
from hub.security.principal import SYSTEM
from tests.support.fake_source import record
from tests.support.http_server import LoopbackServer, Reply, Request

BLOCK = 16 * 1024
RANGE_RE = re.compile(r"bytes=(\d+)-")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0) -> datetime:
    """A time of day in Shanghai (the default window's zone) on a fixed date."""
    return datetime(2026, 12, 7, hour, minute, tzinfo=SHANGHAI)


@dataclass
class ParentFile:
    name: str
    body: bytes
    announced_size: int | None = None  # a lie, when set
    announced_sha: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass
class Parent:
    """The parent's records (id -> (record, [ParentFile])) and how it behaves."""

    records: dict = field(default_factory=dict)
    kill_after: int | None = None  # bytes of a file body sent before the process dies
    ignore_range: bool = False  # answer 200 with the whole file to a Range request
    range_from_zero: bool = False  # answer 206 with bytes from 0 whatever was asked
    extra: bytes = b""  # bytes sent past the end of the file
    send_length: bool = True  # False: no Content-Length, the body ends when the stream does
    delay: float = 0.0005  # a pause between blocks: the throttled line
    sent: dict = field(default_factory=dict)  # file name -> body bytes sent, all requests
    server: LoopbackServer | None = None
    port: int = 0

    def add(self, rid: str, stage: str, *files: ParentFile) -> None:
        self.records[rid] = (record(int(rid[1:]), stage=stage), list(files))

    def file(self, name: str) -> ParentFile:
        return next(f for _r, files in self.records.values() for f in files if f.name == name)

    def start(self, port: int = 0) -> Parent:
        self.server = LoopbackServer(self.answer, port=port).start()
        return self

    def kill(self) -> None:
        if self.server._httpd is not None:
            self.port = self.server.port
        self.server.stop()

    def restart(self) -> None:
        requests = self.server.requests
        self.start(self.port)
        self.server.requests = requests  # one log across the restart

    @property
    def url(self) -> str:
        return self.server.url

    def file_requests(self) -> list[Request]:
        return [r for r in self.server.requests if r.path.startswith("/files/")]

    def answer(self, request: Request):
        if request.path == "/api/v1/changes":
            return 200, self.feed(request.query.get("since"))
        if request.path.startswith("/files/"):
            return self.serve(self.file(request.path.rsplit("/", 1)[1]), request)
        return 404, b"not found"

    def feed(self, since: str | None) -> dict:
        if since:
            return {"changes": [], "next": since}
        changes = [
            {"seq": i + 1, "op": "upsert", "resource": self.resource(rid, rec, files)}
            for i, (rid, (rec, files)) in enumerate(sorted(self.records.items()))
        ]
        return {"changes": changes, "next": str(len(changes))}

    def resource(self, rid: str, rec: dict, files: list[ParentFile]) -> dict:
        listed = [
            {
                "name": f.name,
                "size": f.announced_size if f.announced_size is not None else len(f.body),
                "sha256": f.announced_sha or f.sha256,
                "mimetype": "application/pdf",
            }
            for f in files
        ]
        links = {f.name: f"/files/{f.name}" for f in files}
        return {"id": rid, **rec, "files": listed, "links": {"files": links}}

    def serve(self, f: ParentFile, request: Request) -> Reply:
        asked = RANGE_RE.fullmatch(request.headers.get("Range", "") or "")
        start = int(asked[1]) if asked and not self.ignore_range else 0
        if asked and self.range_from_zero:
            start = 0
        if start >= len(f.body) and asked:
            return Reply(416, b"")
        body = f.body[start:] + self.extra
        headers = {"Content-Type": "application/pdf"}
        if self.send_length:
            headers["Content-Length"] = str(len(body))
        status = 200
        if asked and not self.ignore_range:
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(f.body) - 1}/{len(f.body)}"
        return Reply(status, self.drip(f.name, body), headers)

    def drip(self, name: str, body: bytes):
        for offset in range(0, len(body), BLOCK):
            block = body[offset : offset + BLOCK]
            sent = self.sent.get(name, 0)
            if self.kill_after is not None and sent + len(block) > self.kill_after:
                yield block[: self.kill_after - sent]
                self.sent[name] = self.kill_after
                return  # the connection closes short of its Content-Length, as a killed process
            self.sent[name] = sent + len(block)
            time.sleep(self.delay)
            yield block


def pdf(size: int) -> bytes:
    """`size` random bytes that sniff as a PDF (the hub checks the type itself)."""
    head = b"%PDF-1.4\n"
    return head + os.urandom(max(0, size - len(head)))


def county_parent() -> Parent:
    """Three records: two in the primary stage (the mirror's selection), one outside it."""
    parent = Parent()
    parent.add("r1", "primary", ParentFile("a.pdf", pdf(300 * 1024)))
    parent.add("r2", "primary", ParentFile("b.pdf", pdf(120 * 1024)))
    parent.add("r3", "junior", ParentFile("c.pdf", pdf(50 * 1024)))
    return parent.start()


def make_mirror(hub, parent, **mirror) -> int:
    source = hub.sources.create(
        SYSTEM,
        {
            "name": "county",
            "kind": "hub",
            "url": parent.url,
            "allow_private_host": True,
            "options": {"retries": 0, "timeout": 5},
        },
    )
    settings = {"filter": ["stage=primary"], "window": "22:00-06:00", "rate": "50MB/s"}
    hub.mirrors.configure(SYSTEM, source["id"], settings | mirror)
    return source["id"]


def sync(hub, source_id):
    run = hub.sync.start(SYSTEM, source_id)
    return hub.sync.run(run["id"])


def files_here(hub) -> dict[str, list[tuple[str, str]]]:
    with hub.uow() as uow:
        found = uow.session.scalars(select(Resource).where(Resource.source_id.is_not(None)))
        return {
            r.external_id: sorted((f.name, f.sha256) for f in r.files)
            for r in found
            if r.status == "published"
        }


def stored_bytes(hub, sha256: str) -> bytes:
    with hub.storage.open(sha256) as stream:
        return stream.read()


def staged_sizes(hub, source_id) -> list[int]:
    folder = os.path.join(str(hub.config.data_dir), "mirror", str(source_id))
    return [os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder)]
