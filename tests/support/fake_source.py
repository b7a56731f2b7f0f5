"""A fake connector kind for tests: its items come from the source's options, so worker processes
see them too."""

from __future__ import annotations

import time
from pathlib import Path

from connectors import register
from connectors.base import Connector, Delete, Failed, Upsert

KIND = "fake"


def record(n: int, **overrides) -> dict:
    base = {
        "title": f"收获的资源 {n}",
        "description": "来自测试源",
        "stage": "primary",
        "subjects": ["math"],
        "type": "courseware",
        "license": "CC-BY-4.0",
        "origin_url": f"http://source.example/r/{n}",
    }
    base.update(overrides)
    return base


class FakeConnector(Connector):
    """options["items"]: [{"op": "upsert"|"delete"|"fail", "id", "record"}]; the cursor is the
    next index.
    options["generate"]: N upserts ext-0..ext-N-1 made on the fly (large sources without a large
    row).
    options["explode_at"]: raise after yielding that many items (a source that breaks mid-run).
    options["stall_at"]: after yielding that many items, create the file options["stalled"] and
    hang (a page that never arrives, for a worker to be killed during it)."""

    kind = KIND

    def harvest(self, cursor, *, full):
        items = self.config.options.get("items") or _generated(
            self.config.options.get("generate", 0)
        )
        start = 0 if full or cursor is None else int(cursor)
        explode_at = self.config.options.get("explode_at")
        stall_at = self.config.options.get("stall_at")
        for index in range(start, len(items)):
            if explode_at is not None and index == explode_at:
                raise ConnectionError("the source went away")
            if index == stall_at:
                _stall(self.config.options["stalled"])
            yield self._item(items[index], str(index + 1))

    def retry(self, external_id, payload):
        fixed = self.config.options.get("fixed", {}).get(external_id)
        if fixed is None:
            return Failed(external_id, "still broken", payload)
        return Upsert(external_id, fixed)

    @staticmethod
    def _item(spec: dict, cursor: str):
        op = spec.get("op", "upsert")
        if op == "delete":
            return Delete(spec["id"], cursor)
        if op == "fail":
            return Failed(spec["id"], spec.get("reason", "unreadable"), spec.get("payload"), cursor)
        return Upsert(spec["id"], spec["record"], [], cursor)


def _stall(marker: str) -> None:
    Path(marker).touch()
    while True:  # until the test kills the process
        time.sleep(1)


def _generated(count: int) -> list[dict]:
    return [{"op": "upsert", "id": f"ext-{n}", "record": record(n)} for n in range(count)]


def install() -> None:
    register(KIND, "tests.support.fake_source:FakeConnector")
