"""Object storage in a directory: content-addressed files, committed atomically, read-only and
private (0400 in 0700 directories) once stored."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from hub.datadir import private_dir
from hub.storage.base import HEX, ObjectStore, object_key
from hub.storage.staging import Staged

READ_ONLY = stat.S_IRUSR  # 0400: never rewritten, and never for other local users


class LocalStore(ObjectStore):
    """`<root>/objects/ab/cd/<sha256>`; uploads are staged in `<data_dir>/tmp` on the same file
    system."""

    def __init__(self, root: Path, tmp_dir: Path | None = None):
        self.root = Path(root)
        super().__init__(tmp_dir or self.root / "tmp")

    def path(self, sha256: str) -> Path:
        return self.root / object_key(sha256)

    def commit(self, staged: Staged, mimetype: str) -> bool:
        target = self.path(staged.sha256)
        if target.exists():
            self.discard(staged)
            return False
        private_dir(target.parent)
        os.chmod(staged.path, READ_ONLY)
        try:
            created = _place(Path(staged.path), target)
        finally:
            self.discard(staged)
        _fsync_dir(target.parent)
        return created

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")

    def local_path(self, sha256: str) -> Path | None:
        path = self.path(sha256)
        return path if path.is_file() else None

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def iter_keys(self) -> Iterator[str]:
        # Walk level by level so a store of millions of objects is never listed into memory at once.
        for first in _subdirs(self.root / "objects"):
            for second in _subdirs(first):
                for entry in sorted(os.scandir(second), key=lambda e: e.name):
                    if _is_key(entry.name) and entry.name[:4] == first.name + second.name:
                        yield entry.name

    def check_ready(self) -> None:
        private_dir(self.root)
        private_dir(self.tmp_dir)
        if not os.access(self.tmp_dir, os.W_OK):
            raise PermissionError(f"object store temp directory is not writable: {self.tmp_dir}")


def _place(source: Path, target: Path) -> bool:
    """Link the complete file in under its final name; False if a concurrent upload of the same
    bytes won."""
    try:
        # A hard link appears atomically and refuses to replace: "store once" even under a race.
        os.link(source, target)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP):
            raise
    _copy_into_place(source, target)
    return True


def _copy_into_place(source: Path, target: Path) -> None:
    # Another file system (or no hard links): copy beside the target so the last step is a rename.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, READ_ONLY)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _subdirs(path: Path) -> list[Path]:
    if not path.is_dir():
        return []
    return sorted(
        Path(e.path)
        for e in os.scandir(path)
        if e.is_dir() and len(e.name) == 2 and set(e.name) <= HEX
    )


def _is_key(name: str) -> bool:
    return len(name) == 64 and set(name) <= HEX


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable across a power cut, not just the file's bytes.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
