"""Requests per second for `GET /api/v1/resources/{id}` (anonymous, public published record), 2
gunicorn workers.

    python bench/record_rps.py [--runs 3] [--seconds 15] [--connections 10] [--out bench/out]

Uses `wrk` (Debian: apt-get install -y wrk) when installed, else a multi-process Python client with
keep-alive.
"""

from __future__ import annotations

import argparse
import http.client
import io
import multiprocessing
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import (
    free_port,
    hub_server,
    machine,
    make_draft,
    median,
    prepare_hub,
    publish,
    tree_cpu,
    write_json,
)


def published_record(data_dir: Path) -> str:
    from tests.resource_factories import PDF_BYTES

    hub, world = prepare_hub(data_dir)
    resource_id = make_draft(hub, world, title="人教版七年级数学上册《有理数的加法》教学课件")
    hub.files.upload(
        world["contributor"],
        resource_id,
        "课件.pdf",
        io.BytesIO(PDF_BYTES),
        content_length=len(PDF_BYTES),
    )
    publish(hub, world, resource_id)
    return resource_id


def run_wrk(url: str, seconds: int, connections: int) -> dict:
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)


def run_python(url: str, seconds: int, connections: int) -> dict:
    """`connections` processes, each one keep-alive connection in a loop: the fallback when wrk is
    missing."""
    with multiprocessing.Pool(connections) as pool:
        results = pool.starmap(_client, [(url, seconds)] * connections)
    latencies = sorted(x for part in results for x in part)
    pick = lambda q: round(latencies[min(int(q * len(latencies)), len(latencies) - 1)] * 1000, 2)  # noqa: E731
    return {"rps": round(len(latencies) / seconds, 1), "p50_ms": pick(0.50), "p99_ms": pick(0.99)}


def _client(url: str, seconds: int) -> list[float]:
    host, _, path = url.removeprefix("http://").partition("/")
    conn = http.client.HTTPConnection(host)
    latencies, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        conn.request("GET", "/" + path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")
        latencies.append(time.perf_counter() - started)
    return latencies


def _costed(measure, pid: int, url: str, args) -> dict:
    """One run, with the hub's CPU time per request: what the rate would be on two cores of its
    own."""
    cpu = tree_cpu(pid)
    result = measure(url, args.seconds, args.connections)
    per_request = (tree_cpu(pid) - cpu) / (result["rps"] * args.seconds)
    return {
        **result,
        "server_cpu_ms_per_request": round(per_request * 1000, 2),
        "rps_if_2_cores_were_the_hubs": round(2 / per_request, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    tool = "wrk" if shutil.which("wrk") else "python"
    before = machine()
    root = Path(tempfile.mkdtemp(prefix="eduhub-bench-rps-"))
    try:
        resource_id = published_record(root / "hub")
        with hub_server(root / "hub", free_port()) as server:
            url = f"{server.base}/api/v1/resources/{resource_id}"
            for _ in range(20):  # warm-up: imports, connections and caches in both workers
                urllib.request.urlopen(url).read()
            measure = run_wrk if tool == "wrk" else run_python
            runs = [_costed(measure, server.proc.pid, url, args) for _ in range(args.runs)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report = {
        "machine_before": before,
        "machine_after": machine(),
        "command": " ".join(sys.argv),
        "tool": tool,
        "workers": 2,
        "connections": args.connections,
        "seconds": args.seconds,
        "runs": runs,
        "median": {key: median([r[key] for r in runs]) for key in runs[0]},
    }
    write_json(args.out / "record_rps.json", report)
    print(f"machine before: {before}\nmachine after:  {report['machine_after']}")
    print(
        f"GET /api/v1/resources/{{id}} with {tool}, 2 workers, "
        f"{args.connections} connections, {args.seconds} s: "
        f"median {report['median']}  runs {runs}"
    )


if __name__ == "__main__":
    main()
