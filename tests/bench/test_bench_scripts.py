"""`make bench-smoke`: every script in bench/ run as `make bench` runs it, on a tiny corpus.

So that none can rot: each runs in a subprocess with the interpreter running the tests (no
`eduhub` on PATH needed), must exit 0 and write figures that agree with what it was asked to
make; no figure's size is asserted (no timed assertions).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import need

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))
import common  # noqa: E402
import search_bench  # noqa: E402
import stats_bench  # noqa: E402

# Scripts run here, and the helpers they use: a new file in bench/ goes in one or the other.
RUN = {"transfer.py", "record_rps.py", "search_bench.py", "search_cpu.py", "web_bench.py"}
RUN |= {"harvest_bench.py", "stats_bench.py", "bundle_bench.py", "broker_bench.py"}
RUN |= {"register_bench.py", "mirror_bench.py", "media_bench.py"}
RUN |= {"provenance_bench.py"}  # its smoke: tests/bench/test_provenance_bench.py
HELPERS = {
    "common.py": "every script",
    "minimal_app.py": "transfer.py (the upload ceiling)",
    "nginx.py": "transfer.py (the download ceiling)",
    "search_corpus.py": "search_bench.py and web_bench.py (the corpus)",
    "web_weight.py": "web_bench.py (page weight)",
    "stats_data.py": "stats_bench.py (events and records made inside PostgreSQL)",
}
COUNT = 40


def bench(script: str, *args, timeout: int = 600) -> str:
    """Run bench/SCRIPT ARGS; its exit status must be 0. Returns what it printed."""
    argv = [sys.executable, str(BENCH / script), *map(str, args)]
    result = subprocess.run(
        argv, cwd=REPO, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, f"{script} exited {result.returncode}:\n{result.stderr[-3000:]}"
    return result.stdout


def read(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def search_run(tmp_path_factory):
    """search_bench.py on COUNT records; its data directory serves the next scripts."""
    out, tmp = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("data")
    bench("search_bench.py", "--count", COUNT, "--n", 2, "--out", out, "--tmp", tmp)
    return out / f"search-{COUNT}.json"


def test_every_script_in_bench_is_run_here_or_is_a_helper_of_one():
    assert {p.name for p in BENCH.glob("*.py")} == RUN | set(HELPERS)


def test_search_bench_imports_indexes_and_queries_the_records_it_generated(search_run):
    result = read(search_run)
    assert result["import"]["created"] == COUNT
    assert f"{COUNT} imported" in result["import"]["output"]
    assert result["rebuild_1"]["indexed"] == COUNT
    assert set(result["queries"]) == set(search_bench.MIX)
    assert all(q["http_ms"]["p50"] > 0 for q in result["queries"].values())
    assert result["memory"]["peak_rss_mb"] > 0


def test_search_cpu_measures_every_query_of_the_mix(search_run):
    data_dir = read(search_run)["data_dir"]
    # --served: the access log and metrics set up as `eduhub serve` has them
    printed = bench("search_cpu.py", "--data-dir", data_dir, "--n", 2, "--served")
    result = json.loads(printed.strip().splitlines()[-1])
    assert set(result) == set(search_bench.MIX)
    assert all(r["request_cpu_ms"]["p50"] > 0 for r in result.values())


def test_web_bench_on_the_search_bench_data_dir_times_pages_without_errors(search_run, tmp_path):
    args = ["--resources", 4, "--warmup", 1, "--n", 1, "--concurrency", 2]
    bench(
        "web_bench.py", "--data-dir-from", search_run, *args, "--out", tmp_path, "--tmp", tmp_path
    )
    result = read(tmp_path / f"web-{COUNT}.json")
    assert result["prepare"]["copied"] is True
    for who in ("anonymous", "logged_in"):
        for run in result["ttfb"][who].values():
            assert run["search"]["errors"] == 0 and run["resource"]["errors"] == 0
            assert run["resource"]["n"] == 4
    assert all(page["broken"] == [] for page in result["weight"]["anonymous"].values())


def test_web_bench_builds_its_own_corpus_and_runs_eduhub_serve(tmp_path):
    args = ["--anonymous-only", "--resources", 2, "--warmup", 1, "--n", 1, "--concurrency", 2]
    bench(
        "web_bench.py", "--count", 20, "--serve", "cli", *args, "--out", tmp_path, "--tmp", tmp_path
    )
    result = read(tmp_path / "web-20.json")
    assert result["prepare"]["import"]["created"] == 20 and result["server"]["how"] == "cli"
    assert result["ttfb"]["anonymous"]["c1"]["search"]["errors"] == 0


def test_harvest_bench_rates_are_of_the_records_created(tmp_path):
    bench("harvest_bench.py", "--records", 150, "--out", tmp_path)
    result = read(tmp_path / "harvest.json")
    e2e = result["end_to_end"]
    assert result["fetch_parse"]["records"] == e2e["created"] == e2e["indexed"] == 150
    assert e2e["rps"] == round(e2e["created"] / e2e["total_s"])


def test_stats_bench_measures_downloads_on_and_off_and_stats_answers(tmp_path):
    args = ["--runs", 1, "--seconds", 1, "--connections", 2, "--events", 300, "--resources", 30]
    bench("stats_bench.py", *args, "--n", 2, "--out", tmp_path)
    result = read(tmp_path / "stats.json")
    downloads = result["downloads"]
    assert len(downloads["runs"]["on"]) == len(downloads["runs"]["off"]) == 1
    assert downloads["ratio_on_off"] == round(downloads["rps_on"] / downloads["rps_off"], 3)
    assert result["refresh"]["events"] == 300
    assert set(result["answers"]) == {*stats_bench.answer_paths()}
    assert all(a["total"]["p95_ms"] >= a["ttfb"]["p95_ms"] > 0 for a in result["answers"].values())


def test_bundle_bench_exports_and_imports_every_byte_beside_zip_and_unzip(tmp_path):
    for tool in ("zip", "unzip"):
        if not shutil.which(tool):
            need(tool, "install Debian's zip and unzip (make test-deps)")
    bench("bundle_bench.py", "--resources", 8, "--file-kb", 16, "--runs", 1, "--out", tmp_path)
    sizes = read(tmp_path / "bundle.json")["sizes"]
    assert [s["resources"] for s in sizes] == [2, 8]
    for size in sizes:
        run = size["runs"][0]
        assert run["bundle_bytes"] > size["file_bytes"] == size["resources"] * 16 * 1024
        assert f"{size['resources']} resources" in run["export"]["stdout"]
        assert f"{size['resources']} created" in run["import"]["stdout"]
        assert all(run[step]["peak_rss_mb"] > 0 for step in ("export", "import"))


def test_media_bench_times_the_first_frame_of_original_and_rendition(tmp_path):
    if shutil.which("ffmpeg") is None or not os.path.exists("/usr/bin/chromium"):
        need("ffmpeg and Chromium", "install Debian's ffmpeg and chromium (make test-deps)")
    bench("media_bench.py", "--minutes", 0.05, "--rates", 10, "--runs", 1, "--out", tmp_path)
    result = read(tmp_path / "media-0.05min.json")
    assert set(result["first_frame_s"]) == {"original@10Mbit", "rendition@10Mbit"}
    assert result["sizes_mb"]["rendition"] < result["sizes_mb"]["original"]
    assert result["transcode"]["wall_s"] > 0


def test_record_rps_answers_the_record_without_errors(tmp_path):
    bench("record_rps.py", "--runs", 1, "--seconds", 1, "--connections", 2, "--out", tmp_path)
    result = read(tmp_path / "record_rps.json")
    assert result["median"]["rps"] > 0 and len(result["runs"]) == 1


def test_transfer_uploads_and_downloads_the_same_bytes_beside_its_ceilings(tmp_path):
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        need("nginx", "install Debian's nginx for the download ceiling")
    # Its own temp dir in $TMPDIR: nginx workers (user nobody) cannot enter pytest's tmp_path.
    bench("transfer.py", "--sizes", 1, "--runs", 1, "--out", tmp_path)
    result = read(tmp_path / "transfer.json")["1MiB"]
    hashes = {run["sha256"] for runs in result["upload"]["runs"].values() for run in runs}
    assert len(hashes) == 1
    assert {"hub", "nginx"} <= set(result["download"]["whole"]["median_mb_s"])


def test_a_crashed_command_stops_the_bench(tmp_path):
    """A rebuild on a database never migrated crashes (exit status 1, as skipped lines do)."""
    env = {**search_bench.env_for(tmp_path), "PYTHONWARNINGS": "ignore"}
    with pytest.raises(SystemExit, match="exited [1-9]"):
        search_bench.timed(["search", "rebuild"], env)


def test_a_command_is_found_without_eduhub_on_path(tmp_path):
    env = {**search_bench.env_for(tmp_path), "PATH": "/nonexistent"}
    result = common.eduhub("--version", env=env)
    assert result.returncode == 0 and "eduhub" in result.stdout


def test_broker_bench_runs_every_task_exactly_once(tmp_path):
    bench("broker_bench.py", "--producers", 2, "--tasks", 20, "--timeout", 120, "--out", tmp_path)
    result = read(tmp_path / "broker-40.json")
    assert result["ran_once"] == 40
    assert result["missing"] == result["ran_twice_or_more"] == 0
    assert result["worker_alive_at_end"] is True


def test_mirror_bench_fills_a_mirror_and_measures_it_beside_curl(tmp_path):
    if shutil.which("curl") is None:
        need("curl", "install curl: the mirror bench's baseline")
    bench("mirror_bench.py", "--files", 2, "--file-mb", 0.25, "--runs", 1, "--out", tmp_path)
    result = read(tmp_path / "mirror-2x0.25.json")
    assert [(r["fetched"], r["pending_after"]) for r in result["runs"]] == [(2, 0)]
    assert result["capped"]["fill"]["fetched"] == 2
