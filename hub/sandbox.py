"""Renderers and extractors run on files from anyone: in a child process group, with limits.

Every program (pdftoppm, LibreOffice) and every in-process parser (Pillow, python-docx, python-pptx,
pypdf, openpyxl) that reads an uploaded or harvested file runs through `run` or `call` here. The
child gets RLIMIT_CPU and RLIMIT_AS before it starts (a tiny launcher sets them, then execs: no
`preexec_fn`, which is unsafe in a threaded worker); its whole process group is killed at the
wall-clock deadline and after it exits (LibreOffice forks soffice.bin); ZIP containers are checked
from their central directory before they are opened and counted while they are read; Pillow's
decompression-bomb limit is set and its warning is an error. A limit hit raises `LimitExceeded`
with a short reason, so callers can mark the file failed instead of retrying it.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

from config import SandboxLimits

MB = 1024 * 1024
RATIO_FLOOR = MB  # smaller entries may compress as well as they like (XML often does 20-50x)
MEMORY_WORDS = ("out of memory", "bad_alloc", "cannot allocate", "memoryerror")
# What a child sees of the worker's environment: never its secrets (database URL, secret key,
# S3 keys), which a parser exploited by a hostile file could otherwise read.
KEPT_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "SAL_USE_VCLPLUGIN")

# Sets the limits, then becomes the real program: limits are inherited by everything it forks.
_LAUNCHER = (
    "import os,resource,sys\n"
    "cpu,mem=int(sys.argv[1]),int(sys.argv[2])\n"
    "resource.setrlimit(resource.RLIMIT_CPU,(cpu,cpu+2))\n"
    "mem and resource.setrlimit(resource.RLIMIT_AS,(mem,mem))\n"
    "resource.setrlimit(resource.RLIMIT_CORE,(0,0))\n"
    "os.execvp(sys.argv[3],sys.argv[3:])\n"
)


class SandboxError(RuntimeError):
    """The child failed on its input (a broken file), not on a limit."""


class LimitExceeded(SandboxError):
    """A resource limit stopped the child: reason is cpu, memory, time, size or killed."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def child_env(**extra: str) -> dict:
    """The worker's locale and PATH, the sandbox limits and `extra`; nothing else."""
    kept = {k: v for k, v in os.environ.items() if k in KEPT_ENV or k.startswith("EDUHUB_SANDBOX_")}
    return {**kept, **extra}


def limits() -> SandboxLimits:
    """The configured limits (read each time: cheap, and tests may change the environment)."""
    return SandboxLimits.from_env()


# -- running a program ---------------------------------------------------------------------------


def run(
    argv: list[str],
    *,
    cwd: Path | str,
    env: dict | None = None,
    stdin: bytes | None = None,
    timeout: float | None = None,
    name: str | None = None,
    limits_: SandboxLimits | None = None,
) -> bytes:
    """Run `argv` under the limits in a new process group; its standard output.
    Raises LimitExceeded on a limit, SandboxError on any other failure."""
    lim = limits_ or limits()
    wall = lim.wall_seconds if timeout is None else timeout
    name = name or Path(argv[0]).name
    launcher = [sys.executable, "-I", "-c", _LAUNCHER, str(lim.cpu_seconds)]
    command = [*launcher, str(lim.memory_mb * MB), *argv]
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=child_env() if env is None else env,
        start_new_session=True,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        try:
            out, err = proc.communicate(stdin, timeout=wall)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid)
            proc.communicate()  # reap it, now that the group is dead
            raise LimitExceeded("time", f"{name} took longer than {wall}s") from None
        finally:  # also after a clean exit: a stray child would hold files and memory
            kill_group(proc.pid)
    _check_exit(name, proc.returncode, err)
    return out


def _check_exit(name: str, code: int, stderr: bytes) -> None:
    tail = stderr.decode("utf-8", "replace")[-300:].strip()
    if code == 0:
        return
    if code == -signal.SIGXCPU:
        raise LimitExceeded("cpu", f"{name} used more than its CPU time")
    if code == -signal.SIGKILL:
        raise LimitExceeded("killed", f"{name} was killed (CPU or memory)")
    if any(word in tail.lower() for word in MEMORY_WORDS):
        raise LimitExceeded("memory", f"{name} ran out of memory: {tail[-120:]}")
    raise SandboxError(f"{name} exit {code}: {tail}")


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is already gone


# -- running a Python function -------------------------------------------------------------------


def call(function: str, *args, timeout: float | None = None, limits_=None):
    """`module:function(*args)` in a limited child Python; its JSON-able result.
    Only functions of this project; arguments and result travel as JSON (never pickle: the child
    reads hostile files, and its answer must not be able to run code in the worker)."""
    if not function.startswith("hub."):
        raise ValueError(f"not a hub function: {function}")
    lim = limits_ or limits()
    request = json.dumps({"function": function, "args": list(args)}).encode()
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    out = run(
        # -P: the working directory (a shared temp dir) is not put on sys.path
        [sys.executable, "-P", "-m", "hub.sandbox"],
        cwd=tempfile.gettempdir(),
        env=child_env(PYTHONPATH=path),
        stdin=request,
        timeout=timeout,
        name=function.rsplit(":", 1)[-1],
        limits_=lim,
    )
    try:
        reply = json.loads(out)
    except ValueError:
        raise SandboxError(f"{function} gave no answer") from None
    if "limit" in reply:
        raise LimitExceeded(reply["limit"], reply["message"])
    if "error" in reply:
        raise SandboxError(reply["error"])
    return reply["result"]


# -- inside the child ----------------------------------------------------------------------------


def check_zip(path: str | Path, lim: SandboxLimits | None = None) -> None:
    """Refuse a ZIP (OOXML, ODF) whose central directory declares too much.
    Not a ZIP: no verdict (the reader says what is wrong with it)."""
    lim = lim or limits()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # the reader says what is wrong with it
    with archive:
        entries = archive.infolist()
        if len(entries) > lim.max_entries:
            raise LimitExceeded("size", f"ZIP has {len(entries)} entries (limit {lim.max_entries})")
        total = sum(entry.file_size for entry in entries)
        if total > lim.max_unzipped_mb * MB:
            raise LimitExceeded(
                "size", f"ZIP unpacks to {total // MB} MB (limit {lim.max_unzipped_mb})"
            )
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > RATIO_FLOOR and ratio > lim.max_ratio:
                raise LimitExceeded(
                    "size",
                    f"ZIP entry {entry.filename[:80]} expands {ratio:.0f}x (limit {lim.max_ratio})",
                )


def _count_zip_reads(budget: int) -> None:
    """Declared sizes can lie: count what every ZIP member really gives, in this child only."""
    left = [budget]
    originals = {name: getattr(zipfile.ZipExtFile, name) for name in ("read", "read1")}

    def counted(original):
        def read(self, n=-1):
            data = original(self, n)
            left[0] -= len(data)
            if left[0] < 0:
                raise LimitExceeded("size", f"ZIP members unpack to more than {budget // MB} MB")
            return data

        return read

    for name, original in originals.items():
        setattr(zipfile.ZipExtFile, name, counted(original))


def _pillow_limits(max_pixels: int) -> None:
    """Pillow warns past MAX_IMAGE_PIXELS and raises past twice that: make both an error."""
    from PIL import Image  # heavy; only children that may open images pay for it

    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def _answer(request: dict, lim: SandboxLimits) -> dict:
    from PIL import Image  # heavy; see _pillow_limits

    module, _, name = request["function"].partition(":")
    try:
        return {"result": getattr(importlib.import_module(module), name)(*request["args"])}
    except LimitExceeded as exc:
        return {"limit": exc.reason, "message": str(exc)}
    except MemoryError:
        return {"limit": "memory", "message": f"more than {lim.memory_mb} MB of memory"}
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return {"limit": "size", "message": str(exc)[:300]}
    except Exception as exc:  # parsers raise anything on a damaged file
        return {"error": f"{type(exc).__name__}: {exc}"[:1000]}


def main() -> None:
    request = json.loads(sys.stdin.buffer.read())
    lim = limits()
    _count_zip_reads(lim.max_unzipped_mb * MB)
    _pillow_limits(lim.max_pixels)
    try:
        reply = _answer(request, lim)
        text = json.dumps(reply)
    except MemoryError:
        text = json.dumps({"limit": "memory", "message": f"more than {lim.memory_mb} MB"})
    sys.stdout.write(text)
    sys.stdout.flush()


if __name__ == "__main__":
    # Run as `python -m hub.sandbox`: use the importable module, so `LimitExceeded` raised by the
    # called function is the same class `_answer` catches.
    from hub import sandbox

    sandbox.main()
