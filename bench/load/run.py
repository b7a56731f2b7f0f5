"""A day of a county's traffic, compressed: starts the stack, loads it with Locust, optionally
breaks it (the fault round) or ramps it up until p95 passes 200 ms (the saturation point), then
checks that nothing was lost or duplicated and writes the figures.

    python bench/load/run.py --stack production --minutes 30 --users 60 --faults --out bench/out
    python bench/load/run.py --stack embedded --saturation --out bench/out
    python bench/load/run.py --stack production --minutes 1 --users 6 --records 50   # the smoke
    python bench/load/run.py --stack embedded --minutes 5 --users 10 --faults   # as root: see below

The embedded stack's fault round fills its data directory's disk for a minute. As root the script
mounts a tmpfs of --disk-mb as that directory, so only that small file system fills; without root
the fault is skipped and noted (mount one yourself at <--tmp>/eduhub-load-*/hub to have it).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import check
import requests
import stack as stacks  # bench/load/stack.py: puts the repository and bench/ on sys.path
from watch import FaultRound, MemoryWatch

from tests.support import disk

HERE = Path(__file__).resolve().parent
FIVE_XX = re.compile(r"\b5\d\d\b")
# What a 503 says, for its cause: each backend names itself in its message (hub/errors.py,
# hub/http/errors.py, hub/storage/s3.py, hub/search/).
CAUSES = {
    "磁盘已满": "disk full",
    "数据库": "database",
    "对象存储": "object store",
    # S3 itself answering a presigned download the hub redirected to (Swift while it is down)
    "<Code>ServiceUnavailable</Code>": "object store (its own answer)",
    "搜索": "search",
}


def main() -> None:
    args = parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.tmp:
        Path(args.tmp).mkdir(parents=True, exist_ok=True)  # a --tmp that does not exist yet
    tmp = Path(tempfile.mkdtemp(prefix="eduhub-load-", dir=args.tmp))
    mounted = small_disk(args, tmp / "hub")
    hub = stacks.build(args.stack, tmp / "hub")
    peer = stacks.build("embedded", tmp / "peer")
    try:
        result = run(args, hub, peer, tmp)
    finally:
        stacks.stop(hub)
        stacks.stop(peer)
        if mounted:
            disk.unmount(tmp / "hub")
    name = f"load-{args.stack}{'-saturation' if args.saturation else ''}"
    stacks.common.write_json(out / f"{name}.json", result)
    print(json.dumps(summary(result), ensure_ascii=False, indent=1))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", choices=["production", "embedded"], default="production")
    parser.add_argument("--minutes", type=float, default=30, help="length of the load")
    parser.add_argument("--users", type=int, default=60, help="simulated users at once")
    parser.add_argument("--records", type=int, default=5000, help="published records beforehand")
    parser.add_argument("--peer-records", type=int, default=40, help="demo records the peer has")
    parser.add_argument("--faults", action="store_true", help="the fault round during the load")
    parser.add_argument(
        "--saturation", action="store_true", help="ramp users up until p95 passes 200 ms"
    )
    parser.add_argument(
        "--disk-mb", type=int, default=768, help="the embedded store's disk for the fault round"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--tmp", type=Path, default=None, help="where the data directories go")
    return parser.parse_args()


def small_disk(args, data_dir: Path) -> bool:
    """The embedded data directory on a tmpfs of its own, so the disk-full fault fills only that;
    True if mounted."""
    if args.stack != "embedded" or not args.faults:
        return False
    if not disk.can_mount():
        print("not root: the disk-full fault will be skipped", file=sys.stderr)
        return False
    disk.mount_tmpfs(data_dir, args.disk_mb)
    return True


def run(args, hub: stacks.Stack, peer: stacks.Stack, tmp: Path) -> dict:
    phases: dict[str, float] = {}
    clock = time.monotonic()

    def phase(name: str) -> None:
        nonlocal clock
        phases[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    with ThreadPoolExecutor(1) as pool:  # the peer fills while the stack starts
        peer_ready = pool.submit(start_peer, peer, args.peer_records)
        stacks.start(hub)
        accounts = make_accounts(hub, tmp / "records.jsonl", args.records)
        peer_ready.result()
    phase("stack_accounts_records_and_peer")
    accounts["source_id"] = add_peer(hub, peer, accounts["admin"][0])
    hub.eduhub("sync", "peer", "--wait")
    accounts["downloads"] = downloadable(hub, accounts["admin"][0])
    (tmp / "accounts.json").write_text(json.dumps(accounts))
    phase("first_harvest")
    seconds = args.minutes * 60
    ledger = tmp / "ledger.jsonl"
    with MemoryWatch(hub) as memory:
        faults = FaultRound(hub, seconds, tmp / "faults.log") if args.faults else None
        with faults or _nothing():
            locust = run_locust(args, hub, tmp, ledger, seconds)
    locust["five_xx_by_cause"] = five_xx_by_cause(tmp / "errors.jsonl")
    phase("load")
    final_harvest(hub)
    verdict = check.check(hub, ledger, accounts["admin"][0], peer_count(peer))
    phase("check")
    return {
        "machine": stacks.common.machine(),
        "stack": args.stack,
        "args": {k: str(v) for k, v in vars(args).items()},
        "phases_s": phases,
        "locust": locust,
        "memory": memory.summary(tail_seconds=min(1200, seconds * 2 / 3)),
        "faults": faults.events if faults else [],
        "check": verdict,
    }


def final_harvest(hub: stacks.Stack, timeout: float = 600) -> None:
    """One more harvest after the load, so the harvested count is final; a harvest the operator
    started may still be running (409): wait for it, then go again."""
    deadline = time.monotonic() + timeout
    while True:
        result = stacks.common.eduhub("sync", "peer", "--wait", env=hub.env)
        if result.returncode == 0:
            return
        if "already syncing" not in result.stderr or time.monotonic() > deadline:
            raise stacks.common.failed(result)
        time.sleep(5)


def peer_count(peer: stacks.Stack) -> int:
    """The peer's public records, once its own worker has indexed them all: read earlier, under
    load, its search could still lack some (a run counted 12 of 26)."""
    check.wait_for_outbox(peer)
    return requests.get(peer.base + "/api/v1/resources?size=1", timeout=30).json()["total"]


def start_peer(peer: stacks.Stack, records: int) -> None:
    stacks.start(peer)
    peer.eduhub("seed-demo", "--limit", str(records))


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


def make_accounts(hub: stacks.Stack, corpus: Path, records: int) -> dict:
    """A county with a school, its admin, contributors and a reviewer (tokens for each), and the
    published records teachers will search and download."""
    made = subprocess.run(
        [sys.executable, str(HERE / "accounts.py")],
        env=hub.env, cwd=stacks.REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if made.returncode != 0:
        raise SystemExit(f"accounts.py exited {made.returncode}:\n{made.stderr[-3000:]}")
    accounts = json.loads(made.stdout)
    subprocess.run(
        [sys.executable, str(HERE.parent / "search_corpus.py"), "--count", str(records),
         "--out", str(corpus), "--org", "load-school"],
        check=True, capture_output=True,
    )  # fmt: skip
    hub.eduhub("import", str(corpus), "--publish")
    return accounts


def add_peer(hub: stacks.Stack, peer: stacks.Stack, admin_token: str) -> int:
    """The peer hub as a `hub` source; its id for the operator's harvests."""
    hub.eduhub("sources", "add", "--name", "peer", "--kind", "hub", "--url", peer.base,
               "--allow-private-host")  # fmt: skip
    headers = {"Authorization": f"Bearer {admin_token}"}
    listed = requests.get(hub.base + "/api/v1/sources", headers=headers, timeout=30).json()
    items = listed["sources"] if isinstance(listed, dict) else listed
    return next(s["id"] for s in items if s["name"] == "peer")


def downloadable(hub: stacks.Stack, admin_token: str) -> list[dict]:
    """The published records with files (the harvested demo), for teachers to open and download."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {admin_token}"
    found = session.get(hub.base + "/api/v1/resources", params={"source": "peer", "size": 100})
    out = []
    for hit in found.json()["hits"]:
        record = session.get(f"{hub.base}/api/v1/resources/{hit['id']}", timeout=30).json()
        if record.get("files"):
            out.append({"id": record["id"], "files": record["files"]})
    return out


def run_locust(args, hub: stacks.Stack, tmp: Path, ledger: Path, seconds: float) -> dict:
    prefix = tmp / "locust"
    env = {
        **hub.env,
        "LOAD_ACCOUNTS": str(tmp / "accounts.json"),
        "LOAD_LEDGER": str(ledger),
        "LOAD_ERRORS": str(tmp / "errors.jsonl"),
    }
    if args.saturation:
        # Ten steps or more within --minutes: the ramp ends when the run's time is up.
        env["LOAD_STEP_USERS"] = str(max(2, args.users // 10))
        env["LOAD_STEP_SECONDS"] = str(int(max(10, min(60, seconds // 10))))
        env["LOAD_SECONDS"] = str(int(seconds))
    argv = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
        "--host", hub.base, "--csv", str(prefix), "--csv-full-history", "--only-summary",
        "--stop-timeout", "10", "--loglevel", "WARNING",
    ]  # fmt: skip
    if not args.saturation:
        argv += [
            "-u",
            str(args.users),
            "-r",
            str(max(1, args.users // 10)),
            "-t",
            f"{seconds:.0f}s",
        ]
    with open(tmp / "locust.log", "wb") as log:
        subprocess.run(argv, env=env, cwd=HERE, stdout=log, stderr=subprocess.STDOUT, check=False)
    return read_locust(prefix, args.saturation)


def read_locust(prefix: Path, saturating: bool) -> dict:
    """p50/p95/p99 and counts per endpoint, the 5xx answers, and the saturation point."""
    endpoints = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            endpoints[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "rps": round(float(row["Requests/s"]), 2),
            }
    failures = []
    with open(f"{prefix}_failures.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            failures.append({k: row[k] for k in ("Method", "Name", "Error", "Occurrences")})
    five_xx = sum(int(f["Occurrences"]) for f in failures if FIVE_XX.search(f["Error"]))
    return {
        "endpoints": endpoints,
        "failures": failures,
        "five_xx": five_xx,
        "saturation": saturation(Path(f"{prefix}_stats_history.csv")) if saturating else None,
    }


def saturation(history: Path, limit_ms: float = 200) -> dict | None:
    """The requests per second of the first 10-second window whose p95 passed `limit_ms`, once
    the first step is over: the first requests of a cold hub are slow at any load."""
    if not history.exists():
        return None
    rows = [r for r in csv.DictReader(history.open(encoding="utf-8")) if r["Name"] == "Aggregated"]
    first_step = min((int(r["User Count"]) for r in rows if int(r["User Count"]) > 0), default=0)
    for row in rows:
        warm = int(row["User Count"]) > first_step and float(row["Requests/s"]) > 0
        if warm and _number(row["95%"]) and _number(row["95%"]) > limit_ms:
            return {"rps": round(float(row["Requests/s"]), 1), "users": int(row["User Count"])}
    return {"rps": None, "users": None, "note": f"p95 stayed under {limit_ms:.0f} ms"}


def five_xx_by_cause(path: Path) -> dict:
    """Every 5xx the load met, counted by status and cause; `unexpected` are those that are not a
    503 naming a backend out of service (a disk full, the database, the store, search)."""
    counts: dict[str, int] = {}
    unexpected = 0
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for line in lines:
        entry = json.loads(line)
        cause = next((c for word, c in CAUSES.items() if word in entry["message"]), "other")
        key = f"{entry['status']} {cause} ({entry['name']})"
        counts[key] = counts.get(key, 0) + 1
        unexpected += entry["status"] != 503 or cause == "other"
    return {"counts": counts, "unexpected": unexpected}


def _number(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def summary(result: dict) -> dict:
    """What goes into bench/RESULTS.md."""
    endpoints = result["locust"]["endpoints"]
    return {
        "stack": result["stack"],
        "five_xx": result["locust"]["five_xx"],
        "five_xx_by_cause": result["locust"].get("five_xx_by_cause"),
        "p95_ms": {name: e["p95_ms"] for name, e in endpoints.items()},
        "rps_total": endpoints.get("Aggregated", {}).get("rps"),
        "saturation": result["locust"]["saturation"],
        "memory_tail_slope_mb_per_10min": {
            k: v["tail_slope_mb_per_10min"] for k, v in result["memory"].items()
        },
        "faults": result["faults"],
        "check": {k: v for k, v in result["check"].items() if k != "problems"},
        "problems": result["check"]["problems"][:10],
    }


if __name__ == "__main__":
    main()
