"""A full disk is told apart from other errors wherever it surfaces, and mapped to the 503 the
admin can act on."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy import exc as sql

from hub.errors import StorageFull
from hub.http.errors import DATABASE_DOWN, unavailable_backend
from hub.search.embedded import unavailable
from hub.storage import space


def _sqlite_full() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = sqlite3.SQLITE_FULL
    return error


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_write_refused_for_space_or_quota_is_a_full_disk(code):
    assert space.is_disk_full(OSError(code, "no room"))
    assert isinstance(unavailable_backend(OSError(code, "no room")), StorageFull)


def test_sqlites_full_through_sqlalchemy_is_a_full_disk_not_a_database_down():
    wrapped = sql.OperationalError("INSERT ...", {}, _sqlite_full())
    answer = unavailable_backend(wrapped)
    assert isinstance(answer, StorageFull) and answer.status == 503
    assert "磁盘已满" in answer.message and "free space" in answer.message


def test_a_full_disk_inside_another_error_is_found_and_a_cycle_ends():
    outer = RuntimeError("commit failed")
    outer.__cause__ = OSError(errno.ENOSPC, "no room")
    assert space.is_disk_full(outer)
    loop = ValueError("a")
    loop.__context__ = KeyError("b")
    loop.__context__.__context__ = loop
    assert not space.is_disk_full(loop)


def test_other_errors_are_not_a_full_disk():
    assert not space.is_disk_full(OSError(errno.EACCES, "denied"))
    assert not space.is_disk_full(sqlite3.OperationalError("database is locked"))
    down = unavailable_backend(sql.OperationalError("SELECT 1", {}, OSError("refused")))
    assert down is not None and down.message == DATABASE_DOWN
    assert unavailable_backend(ValueError("x")) is None


def test_tantivy_out_of_space_is_a_full_disk():
    error = ValueError("An IO error occurred: 'No space left on device (os error 28) at path x'")
    assert isinstance(unavailable(error), StorageFull)
    assert not isinstance(unavailable(ValueError("LockBusy")), StorageFull)


def test_a_length_that_cannot_fit_is_refused_and_none_is_let_through(tmp_path):
    with pytest.raises(StorageFull):
        space.check_room(tmp_path, 1 << 62)
    space.check_room(tmp_path, None)
    space.check_room(tmp_path, 1)
