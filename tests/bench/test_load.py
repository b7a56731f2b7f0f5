"""`bench/load/run.py` for one minute on the production stack, so the load test cannot rot: it
must start the stack, load it, and find nothing lost, duplicated or answered with a 5xx. No
figure's size is asserted."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOAD = REPO / "bench" / "load"
sys.path.insert(0, str(LOAD))
sys.path.insert(0, str(REPO / "bench"))
import check  # noqa: E402
import run  # noqa: E402
import watch  # noqa: E402
from stack import Stack  # noqa: E402

from tests.support import disk  # noqa: E402


@pytest.fixture(scope="module")
def one_minute(tmp_path_factory):
    out, tmp = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("load")
    argv = [
        sys.executable,
        str(LOAD / "run.py"),
        "--stack",
        "production",
        "--minutes",
        "1",
        "--users",
        "6",
        "--records",
        "40",
        "--peer-records",
        "5",
        "--out",
        out,
        "--tmp",
        tmp,
    ]
    result = subprocess.run(
        [str(a) for a in argv], cwd=REPO, capture_output=True, text=True, timeout=900,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, f"run.py exited {result.returncode}:\n{result.stderr[-4000:]}"
    return json.loads((out / "load-production.json").read_text())


def test_the_load_reaches_every_kind_of_endpoint(one_minute):
    endpoints = one_minute["locust"]["endpoints"]
    assert endpoints["search"]["requests"] > 0
    assert endpoints["Aggregated"]["requests"] > 0
    assert one_minute["locust"]["five_xx"] == 0, one_minute["locust"]["failures"]


def test_nothing_confirmed_is_lost_or_duplicated(one_minute):
    verdict = one_minute["check"]
    assert verdict["problems"] == []
    assert verdict["lost_or_duplicated"] == 0
    assert verdict["harvested"] is not None and verdict["harvested"] > 0


def test_memory_of_every_process_is_sampled(one_minute):
    roles = {key.split("-")[0] for key in one_minute["memory"]}
    assert {"web", "worker", "beat"} <= roles


def test_the_ledger_keeps_the_last_confirmed_step(tmp_path):
    ledger = tmp_path / "ledger.jsonl"
    lines = [
        {"op": "create", "id": "a", "marker": "load-1"},
        {"op": "file", "id": "a", "name": "x.pdf", "sha256": "00"},
        {"op": "submit", "id": "a"},
        {"op": "publish", "id": "a"},
        {"op": "create", "id": "b", "marker": "load-2"},
        {"op": "bad_download", "id": "c", "file": "y.pdf"},
    ]
    ledger.write_text("".join(json.dumps(line) + "\n" for line in lines))
    read = check.read_ledger(ledger)
    assert read["a"] == {"marker": "load-1", "files": {"x.pdf": "00"}, "status": "published"}
    assert read["b"]["status"] == "draft"
    assert read["_bad_downloads"] == {"count": 1}


def test_the_memory_slope_is_zero_when_flat_and_follows_a_leak():
    assert watch.slope([(0, 100.0), (10, 100.0), (20, 100.0)]) == 0
    assert watch.slope([(0, 100.0), (60, 106.0), (120, 112.0)]) == pytest.approx(0.1)
    assert watch.slope([(5, 1.0)]) == 0


def test_each_5xx_gets_its_cause_and_only_named_backend_503s_are_expected(tmp_path):
    errors = tmp_path / "errors.jsonl"
    lines = [
        {"t": 1, "name": "upload file", "status": 503, "message": "服务器磁盘已满。The disk..."},
        {"t": 2, "name": "upload file", "status": 503, "message": "服务器磁盘已满。The disk..."},
        {"t": 3, "name": "search", "status": 503, "message": "数据库暂时无法连接。The database"},
        {"t": 4, "name": "submit", "status": 500, "message": "服务器内部错误。Internal error"},
        {"t": 5, "name": "search", "status": 503, "message": "<html>Service Unavailable"},
    ]
    errors.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    found = run.five_xx_by_cause(errors)
    assert found["counts"]["503 disk full (upload file)"] == 2
    assert found["counts"]["503 database (search)"] == 1
    assert found["unexpected"] == 2  # the 500, and a 503 that names no backend
    assert run.five_xx_by_cause(tmp_path / "none.jsonl") == {"counts": {}, "unexpected": 0}


def _fault_round(data_dir: Path, kind: str = "embedded") -> watch.FaultRound:
    return watch.FaultRound(Stack(kind, data_dir, 0, {}), 60, data_dir.parent / "faults.log")


def test_the_disk_full_fault_never_fills_a_disk_that_is_not_its_own(tmp_path):
    faults = _fault_round(tmp_path)
    faults.disk_full()
    assert "skipped" in faults.events[0]["fault"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not disk.can_mount(), reason="mounting a tmpfs needs root")
def test_the_disk_full_fault_fills_the_data_directory_then_frees_it(tmp_path, monkeypatch):
    monkeypatch.setattr(watch, "OUTAGE_SECONDS", 0)
    seen = {}
    monkeypatch.setattr(watch.time, "sleep", lambda _: seen.update(free=_free(data_dir)))
    with disk.tmpfs(tmp_path / "hub", size_mb=8) as data_dir:
        _fault_round(data_dir).disk_full()
        assert seen["free"] < 4096  # full while the fault lasted
        assert _free(data_dir) > 7 * 1024 * 1024
    _production = _fault_round(tmp_path, kind="production")
    _production.disk_full()
    assert _production.events == []


def _free(path: Path) -> int:
    return shutil.disk_usage(path).free


def test_the_saturation_point_is_the_first_warm_window_past_200_ms(tmp_path):
    history = tmp_path / "history.csv"
    rows = [  # users, requests/s, p95: a cold start, a calm second step, then the knee
        (2, "0.000000", "900"),
        (2, "3.000000", "400"),
        (4, "6.000000", "120"),
        (6, "8.500000", "260"),
        (8, "8.000000", "900"),
    ]
    lines = ["User Count,Name,Requests/s,95%"] + [f"{u},Aggregated,{r},{p}" for u, r, p in rows]
    history.write_text("\n".join(lines) + "\n")
    assert run.saturation(history) == {"rps": 8.5, "users": 6}
    assert run.saturation(history, limit_ms=1000)["rps"] is None
    assert run.saturation(tmp_path / "none.csv") is None
