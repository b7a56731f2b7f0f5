"""Upload and download of a large MP4 through the API, each beside its ceiling in the same run, with
peak memory.

    python bench/transfer.py [--sizes 1024,256] [--runs 3] [--out bench/out] [--tmp /tmp]

Upload: `PUT /api/v1/resources/{id}/files/big.mp4` against bench/minimal_app.py (hash + write only).
Download: `GET .../files/big.mp4` whole and a 100 MB Range from the middle, against nginx with
sendfile serving the very same stored object. Memory: summed RSS of the gunicorn master and workers,
every 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import requests
from common import (
    RssSampler,
    free_port,
    hub_server,
    machine,
    make_draft,
    median,
    prepare_hub,
    publish,
    tree_cpu,
    write_json,
    wsgi_server,
)
from nginx import nginx_server
from requests.adapters import HTTPAdapter

MIB = 1 << 20
CHUNK = MIB
RANGE_BYTES = 100_000_000
# An ISO base media header ("....ftypisom"), so the hub's type sniffer accepts the file as MP4.
FTYP = (32).to_bytes(4, "big") + b"ftypisom" + (0x200).to_bytes(4, "big") + b"isomiso2avc1mp41"


def make_video(path: Path, size: int) -> None:
    """An MP4 header followed by random bytes (a 64 MiB random block repeated: nothing on the path
    compresses)."""
    block = os.urandom(64 * MIB)
    with open(path, "wb") as out:
        out.write(FTYP)
        left = size - len(FTYP)
        while left > 0:
            left -= out.write(block[: min(left, len(block))])


class _BigBlocks(HTTPAdapter):
    # http.client sends a file body 8 KiB at a time by default; 1 MiB blocks keep the client off the
    # critical path.
    def init_poolmanager(self, *args, **kwargs):
        kwargs["blocksize"] = CHUNK
        super().init_poolmanager(*args, **kwargs)


def upload(session: requests.Session, url: str, path: Path, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/octet-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with open(path, "rb") as body:  # a file object: requests sets Content-Length from its size
        started = time.perf_counter()
        response = session.put(url, data=body, headers=headers, timeout=600)
        seconds = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"upload to {url}: {response.status_code} {response.text[:300]}")
    return {"seconds": seconds, **response.json()}


def download(url: str, byte_range: tuple[int, int] | None = None) -> dict:
    """GET discarding the body into one reused 4 MiB buffer (faster than curl here); the same for
    hub and nginx."""
    host, _, path = url.removeprefix("http://").partition("/")
    conn = http.client.HTTPConnection(host, timeout=600)
    headers = {"Range": f"bytes={byte_range[0]}-{byte_range[1]}"} if byte_range else {}
    buffer, received = memoryview(bytearray(4 * MIB)), 0
    started = time.perf_counter()
    conn.request("GET", "/" + path, headers=headers)
    response = conn.getresponse()
    while count := response.readinto(buffer):
        received += count
    seconds = time.perf_counter() - started
    conn.close()
    return {"status": response.status, "bytes": received, "seconds": seconds}


def mb_per_s(nbytes: int, seconds: float) -> float:
    return round(nbytes / seconds / 1e6, 1)


def bench_uploads(session, servers: dict, hub, world, video: Path, runs: int) -> tuple[dict, str]:
    """`servers`: hub, minimal (the ceiling) and minimal_fsync (the ceiling plus the hub's
    durability fsync)."""
    size = video.stat().st_size
    resource_id = make_draft(hub, world)
    urls = {side: f"{server.base}/upload" for side, server in servers.items()}
    urls["hub"] = f"{servers['hub'].base}/api/v1/resources/{resource_id}/files/big.mp4"
    warm_up(session, servers, resource_id, world["token"], video.parent)
    rows = {side: [] for side in servers}
    sides = list(servers)
    for run in range(runs):
        for side in sides[run % len(sides) :] + sides[: run % len(sides)]:  # rotate who goes first
            server = servers[side]
            # start each run without someone else's dirty pages being written back under it
            os.sync()
            cpu = tree_cpu(server.proc.pid)
            with RssSampler(server.proc.pid) as rss:
                result = upload(
                    session, urls[side], video, world["token"] if side == "hub" else None
                )
            rows[side].append(
                {
                    "mb_s": mb_per_s(size, result["seconds"]),
                    **rss.summary(),
                    "server_cpu_s": round(tree_cpu(server.proc.pid) - cpu, 2),
                    "sha256": result["sha256"],
                }
            )
    assert len({r["sha256"] for side in rows.values() for r in side}) == 1, "hash mismatch"
    summary = _summary(rows, size, "hub", "minimal")
    medians = summary["median_mb_s"]
    summary["ratio_to_minimal_fsync"] = round(medians["hub"] / medians["minimal_fsync"], 2)
    return summary, resource_id


def warm_up(session, servers: dict, resource_id: str, token: str, tmp: Path) -> None:
    """Two small uploads to each server, so both workers have imported and connected before anything
    is timed."""
    small = tmp / "warm.mp4"
    make_video(small, 4 * MIB)
    for _ in range(2):
        for side, server in servers.items():
            if side == "hub":
                upload(
                    session,
                    f"{server.base}/api/v1/resources/{resource_id}/files/warm.mp4",
                    small,
                    token,
                )
            else:
                upload(session, f"{server.base}/upload", small)
    small.unlink()


def bench_downloads(hub_srv, nginx_srv, resource_id, sha256: str, size: int, runs: int) -> dict:
    from hub.storage.base import object_key

    hub_url = f"{hub_srv.base}/api/v1/resources/{resource_id}/files/big.mp4"
    nginx_url = f"{nginx_srv.base}/{object_key(sha256)}"
    middle = size // 2 - RANGE_BYTES // 2
    cases = {"whole": (None, size), "range": ((middle, middle + RANGE_BYTES - 1), RANGE_BYTES)}
    result = {}
    for case, (byte_range, expected) in cases.items():
        if byte_range and size < 2 * RANGE_BYTES:
            continue
        rows = {"hub": [], "nginx": []}
        for url in (hub_url, nginx_url, hub_url, nginx_url):  # warm-up: both workers of each server
            download(url, (0, MIB - 1))
        for run in range(runs):
            order = [("hub", hub_url, hub_srv), ("nginx", nginx_url, nginx_srv)]
            for side, url, server in order if run % 2 == 0 else order[::-1]:
                cpu = tree_cpu(server.proc.pid)
                with RssSampler(
                    hub_srv.proc.pid
                ) as rss:  # nginx is not sampled: only the hub's memory is aimed at
                    got = download(url, byte_range)
                cpu = round(tree_cpu(server.proc.pid) - cpu, 2)
                if got["bytes"] != expected or got["status"] != (206 if byte_range else 200):
                    raise RuntimeError(f"{side} {case}: {got}")
                rows[side].append(
                    {
                        "mb_s": mb_per_s(expected, got["seconds"]),
                        "server_cpu_s": cpu,
                        **(rss.summary() if side == "hub" else {}),
                    }
                )
        result[case] = _summary(rows, expected, "hub", "nginx")
    return result


def _summary(rows: dict, nbytes: int, ours: str, ceiling: str) -> dict:
    med = {side: median([r["mb_s"] for r in runs]) for side, runs in rows.items()}
    memory = {key: max(r[key] for r in rows[ours]) for key in ("peak_rss_mb", "peak_pss_mb")}
    memory.update({key: min(r[key] for r in rows[ours]) for key in ("idle_rss_mb", "idle_pss_mb")})
    # CPU seconds of each server tree: a second view of the cost, less swayed by the load than wall
    # time.
    cpu = {side: median([r["server_cpu_s"] for r in runs]) for side, runs in rows.items()}
    return {
        "bytes": nbytes,
        "runs": rows,
        "median_mb_s": med,
        "ratio": round(med[ours] / med[ceiling], 2),
        "median_server_cpu_s": cpu,
        "hub_memory": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1024,256", help="file sizes in MiB, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument(
        "--tmp", default=None, help="where the temp data dir goes (needs 3x the largest size free)"
    )
    args = parser.parse_args()
    before = machine()
    root = Path(tempfile.mkdtemp(prefix="eduhub-bench-", dir=args.tmp))
    root.chmod(0o755)  # nginx workers run as nobody when started by root
    try:
        results = run_all(root, [int(s) * MIB for s in args.sizes.split(",")], args.runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)  # several GiB of videos and objects
    report = {
        "machine_before": before,
        "machine_after": machine(),
        "command": " ".join(sys.argv),
        **results,
    }
    write_json(args.out / "transfer.json", report)
    print_report(report)


def run_all(root: Path, sizes: list[int], runs: int) -> dict:
    data_dir, minimal_dir = root / "hub", root / "minimal"
    minimal_dir.mkdir()
    hub, world = prepare_hub(data_dir)
    session = requests.Session()
    session.mount("http://", _BigBlocks())
    minimal_env = {"BENCH_MINIMAL_DIR": str(minimal_dir)}
    results = {}
    with (
        hub_server(data_dir, free_port()) as hub_srv,
        wsgi_server(
            "minimal_app:app", free_port(), root / "minimal.log", env=minimal_env
        ) as minimal_srv,
        wsgi_server(
            "minimal_app:app",
            free_port(),
            root / "minimal-fsync.log",
            env={**minimal_env, "BENCH_MINIMAL_FSYNC": "1"},
        ) as fsync_srv,
        nginx_server(data_dir / "objects", free_port(), root / "nginx") as nginx_srv,
    ):
        servers = {"hub": hub_srv, "minimal": minimal_srv, "minimal_fsync": fsync_srv}
        for size in sizes:
            video = root / f"video-{size // MIB}.mp4"
            make_video(video, size)
            up, resource_id = bench_uploads(session, servers, hub, world, video, runs)
            video.unlink()
            publish(hub, world, resource_id)
            sha256 = up["runs"]["hub"][0]["sha256"]
            down = bench_downloads(hub_srv, nginx_srv, resource_id, sha256, size, runs)
            results[f"{size // MIB}MiB"] = {"upload": up, "download": down}
    return results


def print_report(report: dict) -> None:
    print(f"machine before: {report['machine_before']}\nmachine after:  {report['machine_after']}")
    for size, res in report.items():
        if size.endswith("MiB"):
            _print_case(f"{size} upload", res["upload"])
            for case, down in res["download"].items():
                _print_case(f"{size} download {case}", down)


def _print_case(label: str, result: dict) -> None:
    speeds = "  ".join(f"{side} {mb_s} MB/s" for side, mb_s in result["median_mb_s"].items())
    runs = {side: [r["mb_s"] for r in rows] for side, rows in result["runs"].items()}
    extra = (
        f" (to minimal_fsync {result['ratio_to_minimal_fsync']})"
        if "ratio_to_minimal_fsync" in result
        else ""
    )
    print(
        f"{label}: {speeds}  ratio {result['ratio']}{extra}  "
        f"server CPU s {result['median_server_cpu_s']}\n"
        f"    hub memory {result['hub_memory']}\n    runs {runs}"
    )


if __name__ == "__main__":
    main()
