"""A small file system to fill: a tmpfs mounted for a test or a load run (root only), and a file
that takes every free byte of it, removed to give the space back."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

BLOCK = 4096  # tmpfs hands out pages: a write of one page fails only when none is left


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


def mount_tmpfs(path: Path, size_mb: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(path)],
        check=True,
        capture_output=True,
    )


def unmount(path: Path) -> None:
    # Lazy: a process of the run may still hold a file open there.
    subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


@contextlib.contextmanager
def tmpfs(path: Path, size_mb: int):
    mount_tmpfs(path, size_mb)
    try:
        yield path
    finally:
        unmount(path)


def fill(directory: Path, leave: int = 0) -> Path:
    """A file in `directory` that takes all its file system's free space but `leave` bytes."""
    filler = directory / ".filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        free = shutil.disk_usage(directory).free - leave
        if free > 0:
            with contextlib.suppress(OSError):
                os.posix_fallocate(fd, os.fstat(fd).st_size, free)
        if leave == 0:
            _top_up(fd)
    finally:
        os.close(fd)
    return filler


def _top_up(fd: int) -> None:
    # What fallocate left (rounding, blocks freed since): page by page until the disk says no.
    page = b"\0" * BLOCK
    with contextlib.suppress(OSError):
        while True:
            os.write(fd, page)


def free(filler: Path) -> None:
    filler.unlink(missing_ok=True)
