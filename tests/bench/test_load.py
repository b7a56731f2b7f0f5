"""`bench/load/run.py` for one minute on the production stack, so the load test cannot rot: it
must start the stack, load it, and find nothing lost, duplicated or answered with a 5xx. No
figure's size is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOAD = REPO / "bench" / "load"
sys.path.insert(0, str(LOAD))
sys.path.insert(0, str(REPO / "bench"))
import check  # noqa: E402
import watch  # noqa: E402


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
