"""School mirror throughput: a mirror's night pass beside `curl` fetching the same files.

A parent hub on loopback (tests/support/mirrors.py, no throttle, in its own process) announces
FILES records of FILE_MB random bytes each. In each run, interleaved on the same files:
  curl    `curl -s -o FILE URL` for every file, one after the other (no checks);
  mirror  a fresh hub (embedded defaults) syncs the records, then one fill pass with no window and
          no cap fetches every file into staging, verifies its SHA-256, stores and attaches it.
A last run sets `--rate` (default 20MB/s) and reports the rate achieved beside the cap.
    python bench/mirror_bench.py --files 40 --file-mb 8 --runs 3 --out bench/out
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import hub_config, machine, write_json  # noqa: E402

from hub.bootstrap import bootstrap  # noqa: E402
from hub.db import migrate  # noqa: E402
from hub.security.principal import SYSTEM  # noqa: E402
from tests.support.mirrors import Parent, ParentFile, pdf  # noqa: E402

MB = 1024 * 1024


def serve_parent(files: int, file_mb: float, told, stop) -> None:
    """The parent hub, in its own process: its server never shares the bench's interpreter."""
    parent = Parent(delay=0)
    for i in range(files):
        parent.add(f"r{i + 1}", "primary", ParentFile(f"f{i}.pdf", pdf(int(file_mb * MB))))
    parent.start()
    told.put(parent.url)
    stop.wait()
    parent.kill()


def curl_all(url: str, files: int, folder: Path) -> float:
    folder.mkdir(parents=True)
    started = time.perf_counter()
    for i in range(files):
        target = str(folder / f"f{i}.pdf")
        subprocess.run(["curl", "-s", "-o", target, f"{url}/files/f{i}.pdf"], check=True)
    return time.perf_counter() - started


def mirror_all(url: str, data_dir: Path, rate: str) -> tuple[float, dict]:
    config = dataclasses.replace(hub_config(data_dir), broker_url="memory://")
    migrate.upgrade(config.database_url)
    hub = bootstrap(config)
    try:
        source = hub.sources.create(
            SYSTEM,
            {"name": "parent", "kind": "hub", "url": url, "allow_private_host": True},
        )
        hub.mirrors.configure(SYSTEM, source["id"], {"rate": rate})
        hub.sync.run(hub.sync.start(SYSTEM, source["id"])["id"])
        started = time.perf_counter()
        done = hub.mirrors.fill(source["id"], ignore_window=True)
        seconds = time.perf_counter() - started
        status = hub.sources.get(SYSTEM, source["id"])["mirror"]
        return seconds, done | {"pending_after": status["pending"], "here": status["mirrored"]}
    finally:
        hub.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--file-mb", type=float, default=8.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", default="20MB/s", help="the capped run's cap")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    spawn = get_context("spawn")
    told, stop = spawn.Queue(), spawn.Event()
    parent = spawn.Process(target=serve_parent, args=(args.files, args.file_mb, told, stop))
    parent.start()
    url, total, runs = told.get(timeout=120), args.files * args.file_mb, []
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="mirror-bench-") as tmp:
                curl_s = curl_all(url, args.files, Path(tmp) / "curl")
                mirror_s, done = mirror_all(url, Path(tmp) / "hub", "0")
            runs.append(_run(run, total, curl_s, mirror_s, done))
            print(json.dumps(runs[-1]), flush=True)
        with tempfile.TemporaryDirectory(prefix="mirror-bench-") as tmp:
            capped_s, capped = mirror_all(url, Path(tmp) / "hub", args.rate)
    finally:
        stop.set()
        parent.join(30)
    result = {
        "machine": machine(),
        "files": args.files,
        "file_mb": args.file_mb,
        "runs": runs,
        "median_ratio": median(r["mirror_over_curl"] for r in runs),
        "capped": {"cap": args.rate, "mb_s": round(total / capped_s, 1), "fill": capped},
    }
    write_json(args.out / f"mirror-{args.files}x{args.file_mb:g}.json", result)
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, default=str))


def _run(run: int, total_mb: float, curl_s: float, mirror_s: float, done: dict) -> dict:
    return {
        "run": run,
        "mb": total_mb,
        "curl_mb_s": round(total_mb / curl_s, 1),
        "mirror_mb_s": round(total_mb / mirror_s, 1),
        "mirror_over_curl": round(curl_s / mirror_s, 2),
        "fetched": done["fetched"],
        "pending_after": done["pending_after"]["files"],
    }


if __name__ == "__main__":
    shutil.which("curl") or sys.exit("mirror_bench.py needs curl (the baseline)")
    main()
