"""The data directory is private to the hub's user: directories 0700, files 0600 (umask 077).

It holds the SQLite database (password hashes, tokens, private records), the objects of org-only
and draft resources, the search index and the broker's messages; none of it is for other local
users. The umask covers what libraries create there (tantivy, kombu, SQLite's -wal and -shm files);
the explicit modes below cover what the hub creates itself, whatever the umask.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
LOOSE = stat.S_IRWXG | stat.S_IRWXO  # any group or world bit


def secure_data_dir(data_dir: Path | str) -> Path:
    """Set the process umask to 077 and make `data_dir` (created if missing) private."""
    os.umask(PRIVATE_UMASK)
    try:
        return private_dir(data_dir)
    except OSError as exc:
        # With every backend external (PostgreSQL, S3, Elasticsearch, Redis) a hub may run where
        # the default ./var cannot be made; whatever needs the directory says so when it does.
        log.warning("data directory %s not made private: %s", data_dir, exc)
        return Path(data_dir)


def private_dir(path: Path | str) -> Path:
    """Create `path` and any missing parents as 0700; tighten `path` itself if it is loose."""
    path = Path(path)
    missing = []
    for parent in [path, *path.parents]:
        if parent.exists():
            break
        missing.append(parent)
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass  # made by a concurrent process: tightened below if it is ours
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path | str) -> Path:
    """Create `path` empty as 0600 unless it exists; tighten it if it is loose."""
    path = Path(path)
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(path, FILE_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & LOOSE:
            os.chmod(path, mode)
    except PermissionError:
        pass  # not ours (a shared parent such as /tmp): leave it alone
