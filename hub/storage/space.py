"""A full disk under the data directory: told apart from every other I/O error wherever it surfaces
(a file being written, SQLite), and an upload refused before its body is read when its declared
length cannot fit."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

from hub.errors import StorageFull

FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
# Left free beyond an upload's own bytes, so the row that records it and SQLite's journal still fit.
RESERVE = 4 * 1024 * 1024


def is_disk_full(error: BaseException | None) -> bool:
    """True if `error`, or anything it wraps (SQLAlchemy's `orig`, a cause or context), is a
    write refused because the file system is full or over quota."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in FULL:
            return True
        if isinstance(current, sqlite3.Error) and _sqlite_full(current):
            return True
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return False


def _sqlite_full(error: sqlite3.Error) -> bool:
    # SQLITE_FULL ("database or disk is full"); the code is what SQLite reports, not the text.
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def check_room(directory: Path, length: int | None) -> None:
    """Refuse a body of `length` bytes that cannot fit beside the reserve, before reading it."""
    if length is None:
        return
    if shutil.disk_usage(directory).free < length + RESERVE:
        raise StorageFull()
