"""The sandbox itself: CPU, memory and wall-clock limits on a child and its whole process group."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest

from config import SandboxLimits
from hub import sandbox
from tests.support.sandbox import zip_with_bomb


def alive(pid: int) -> bool:
    """Running or sleeping (a zombie waiting for init to reap it counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def test_a_child_past_its_cpu_time_is_killed_and_reported(tmp_path):
    limits = SandboxLimits(cpu_seconds=1, wall_seconds=120)
    with pytest.raises(sandbox.LimitExceeded) as caught:
        sandbox.run([sys.executable, "-c", "while True: pass"], cwd=tmp_path, limits_=limits)
    assert caught.value.reason == "cpu"


def test_a_child_past_its_address_space_is_stopped_and_reported(tmp_path):
    limits = SandboxLimits(memory_mb=256)
    grab = "x = bytearray(1 << 30)"  # 1 GB
    with pytest.raises(sandbox.LimitExceeded) as caught:
        sandbox.run([sys.executable, "-c", grab], cwd=tmp_path, limits_=limits)
    assert caught.value.reason == "memory"


def test_on_timeout_the_whole_process_group_is_killed(tmp_path):
    script = "sleep 300 & echo $! > sleeper.pid; wait"  # the sleeper is a grandchild
    with pytest.raises(sandbox.LimitExceeded) as caught:
        sandbox.run(["sh", "-c", script], cwd=tmp_path, timeout=1)
    assert caught.value.reason == "time"
    sleeper = int((tmp_path / "sleeper.pid").read_text())
    for _ in range(50):  # SIGKILLed processes take a moment to leave /proc
        if not alive(sleeper):
            break
        time.sleep(0.1)
    assert not alive(sleeper)


def test_only_this_projects_functions_can_be_called():
    with pytest.raises(ValueError):
        sandbox.call("os:system", "true")


def test_the_limits_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("EDUHUB_SANDBOX_MEMORY_MB", "640")
    monkeypatch.setenv("EDUHUB_SANDBOX_WALL_SECONDS", "7.5")
    assert (sandbox.limits().memory_mb, sandbox.limits().wall_seconds) == (640, 7.5)
    assert sandbox.limits().cpu_seconds == SandboxLimits().cpu_seconds


@pytest.mark.parametrize("expansion_mb", [2, 64, 400])
def test_an_entry_expanding_past_the_ratio_is_refused(tmp_path, expansion_mb):
    buf = io.BytesIO()
    docx.Document().save(buf)
    path = tmp_path / "ratio.docx"
    path.write_bytes(zip_with_bomb(buf.getvalue(), "word/document.xml", expansion_mb << 20))
    with pytest.raises(sandbox.LimitExceeded) as caught:
        sandbox.check_zip(path, SandboxLimits(max_ratio=100))
    assert "expands" in str(caught.value)


def test_too_many_entries_are_refused(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(30):
            archive.writestr(f"e{n}.xml", "<a/>")
    with pytest.raises(sandbox.LimitExceeded):
        sandbox.check_zip(path, SandboxLimits(max_entries=20))
    sandbox.check_zip(path, SandboxLimits(max_entries=30))


def test_a_child_sees_none_of_the_workers_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("EDUHUB_SECRET_KEY", "secret-key-value")
    monkeypatch.setenv("EDUHUB_DATABASE_URL", "postgresql://hub:db-password@db/hub")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value")
    monkeypatch.setenv("EDUHUB_SANDBOX_CPU_SECONDS", "30")
    seen = sandbox.run(["env"], cwd=tmp_path).decode()
    assert "EDUHUB_SANDBOX_CPU_SECONDS=30" in seen
    for secret in ("secret-key-value", "db-password", "aws-secret-value"):
        assert secret not in seen


def test_zip_members_are_counted_as_they_are_read_whatever_was_declared(tmp_path):
    path = tmp_path / "twice.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w/>" * 150_000)  # 600 KB, declared honestly
    # The central directory passes (600 KB < 1 MB); reading the member twice does not.
    reader = (
        "import sys, zipfile; from hub import sandbox; sandbox._count_zip_reads(1 << 20);"
        "z = zipfile.ZipFile(sys.argv[1]); z.read('word/document.xml'); print('once');"
        "z.read('word/document.xml'); print('twice')"
    )
    done = subprocess.run(
        [sys.executable, "-c", reader, str(path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stdout.split() == ["once"]
    assert "LimitExceeded: ZIP members unpack to more than 1 MB" in done.stderr
