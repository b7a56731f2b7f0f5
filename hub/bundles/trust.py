"""The bundle signing keys an operator trusts: one store, read by every import (CLI and page)."""

from __future__ import annotations

import json
from pathlib import Path


class TrustedKeys:
    """`$EDUHUB_DATA_DIR/bundle-trusted-keys.json`: `[{"key", "label", "added", "by"}]`, keys in
    base64 as `signing.parse_key` gives them."""

    def __init__(self, data_dir):
        self.path = Path(data_dir) / "bundle-trusted-keys.json"

    def entries(self) -> list[dict]:
        if not self.path.is_file():
            return []
        return json.loads(self.path.read_text(encoding="utf-8"))

    def keys(self) -> list[str]:
        return [entry["key"] for entry in self.entries()]

    def add(self, entry: dict) -> dict:
        """Trust `entry["key"]` (replacing an older entry for the same key)."""
        kept = [e for e in self.entries() if e["key"] != entry["key"]]
        write_json(self.path, [*kept, entry])
        return entry


def write_json(path: Path, value) -> None:
    """Written beside and renamed into place: a reader never sees half a file."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(path)
