"""Usage events and stats: downloads a second with recording on vs off; stats answer times.

    python bench/stats_bench.py [--runs 3] [--seconds 10] [--connections 4] [--events 200000]
        [--resources 20000] [--days 395] [--n 50] [--only downloads|stats] [--out bench/out]
        [--database-url URL [--reuse]] [--spread]

Download side: a published PDF fetched from 2 gunicorn workers, recording off and on in
alternating runs (the rate limit raised so every request is buffered). Stats side, on a
PostgreSQL database of its own: `--events` usage events over `--days` days, `--resources`
published records and 1000 schools generated inside the database (`stats_data`), folded by one
refresh (`eduhub stats refresh`), then `/stats/usage` for every `by`, the overview, coverage,
regions and the `/admin/insight` page timed `--n` times each as an administrator over HTTP
(p50/p95 of the first byte and of the whole answer). The issue's size is --events 10000000
--resources 1000000.

With `--database-url URL` the stats side generates into that (empty) PostgreSQL database and keeps
it; `--database-url URL --reuse` times it again without generating or refreshing (after a code
change: run `eduhub db upgrade` on it first).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stats_data  # noqa: E402
from common import (  # noqa: E402
    free_port,
    hub_config,
    hub_server,
    machine,
    median,
    prepare_hub,
    write_json,
)
from record_rps import published_record, run_python  # noqa: E402
from web_bench import browser_login  # noqa: E402

from hub.bootstrap import bootstrap  # noqa: E402
from tests.factories import make_token, make_user  # noqa: E402
from tests.support import postgres  # noqa: E402

ADMIN = ("admin@bench.cn", "stats bench password")


def download_rates(data_dir: Path, resource_id: str, args) -> dict:
    """Alternating off/on runs against one data directory; each run its own server."""
    runs = {"off": [], "on": []}
    os.environ["EDUHUB_EVENTS_RATE"] = str(10**9)
    for i in range(args.runs * 2):
        mode = ("off", "on")[(i + i // 2) % 2]  # off, on, on, off, ...: neither side always first
        os.environ["EDUHUB_EVENTS"] = mode
        with hub_server(data_dir, free_port()) as server:
            url = f"{server.base}/api/v1/resources/{resource_id}/files/{quote('课件.pdf')}"
            for _ in range(10):
                urllib.request.urlopen(url).read()
            runs[mode].append(run_python(url, args.seconds, args.connections))
    os.environ.pop("EDUHUB_EVENTS")
    off = median([r["rps"] for r in runs["off"]])
    on = median([r["rps"] for r in runs["on"]])
    return {"runs": runs, "rps_off": off, "rps_on": on, "ratio_on_off": round(on / off, 3)}


BYS = ("day", "month", "region", "city", "org", "subject", "stage", "grade", "type", "source")


def answer_paths() -> dict[str, str]:
    since = (datetime.now(UTC).date() - timedelta(days=89)).isoformat()
    paths = {"healthz_floor": "/healthz"}  # what any answer costs on this machine right now
    paths |= {f"usage_by_{by}": f"/api/v1/stats/usage?event=download&by={by}" for by in BYS}
    paths.update(
        usage_by_day_90=f"/api/v1/stats/usage?event=view&by=day&from={since}",
        usage_by_org_math="/api/v1/stats/usage?event=download&by=org&subject=math",
        overview="/api/v1/stats/overview",
        coverage="/api/v1/stats/coverage?by=stage,subject,grade",
        regions="/api/v1/stats/regions",
        insight_page="/admin/insight",
    )
    return paths


def answer_times(port: int, headers: dict, n: int) -> dict:
    """Each path `n` times over one connection: time to first byte and to the last, in ms."""
    out = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for name, path in answer_paths().items():
        auth = headers["page"] if name == "insight_page" else headers["api"]
        first, whole = [], []
        for _ in range(n):
            started = time.perf_counter()
            conn.request("GET", path, headers=auth)
            response = conn.getresponse()
            first.append((time.perf_counter() - started) * 1000)
            response.read()
            whole.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise SystemExit(f"{path}: {response.status}")
        out[name] = {"ttfb": _percentiles(first), "total": _percentiles(whole)}
    conn.close()
    return out


def _percentiles(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "p50_ms": round(times[len(times) // 2], 1),
        "p95_ms": round(times[min(int(0.95 * len(times)), len(times) - 1)], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--resources", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=395)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--only", choices=("downloads", "stats"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--database-url", default="", help="generate into and keep this database")
    parser.add_argument("--reuse", action="store_true", help="time --database-url as it is")
    parser.add_argument(
        "--spread", action="store_true", help="every school active every day (see stats_data)"
    )
    args = parser.parse_args()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url")
    before = machine()
    root = Path(tempfile.mkdtemp(prefix="eduhub-bench-stats-"))
    report = {}
    try:
        if args.only != "stats":
            resource_id = published_record(root / "hub")
            report["downloads"] = download_rates(root / "hub", resource_id, args)
        if args.only != "downloads":
            report.update(stats_side(root / "stats", args))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report.update(machine_before=before, machine_after=machine(), command=" ".join(sys.argv))
    write_json(args.out / "stats.json", report)
    downloads = report.get("downloads", {})
    print(
        f"downloads rps off {downloads.get('rps_off')} on {downloads.get('rps_on')} "
        f"ratio {downloads.get('ratio_on_off')}; refresh {report.get('refresh')}"
    )
    for name, times in report.get("answers", {}).items():
        print(f"{name}: ttfb {times['ttfb']} total {times['total']}")


def stats_side(data_dir: Path, args) -> dict:
    """Events and records generated inside PostgreSQL, one refresh, then the answers over HTTP."""
    if args.database_url:
        return _stats_on(data_dir, args.database_url, args)
    server = postgres.server_url()
    name = f"eduhub_bench_stats_{os.getpid()}"
    url = postgres.create_database(server, name)
    try:
        return _stats_on(data_dir, url, args)
    finally:
        postgres.drop_database(server, name)


def _stats_on(data_dir: Path, url: str, args) -> dict:
    if args.reuse:
        token, generated, refresh = _reused(data_dir, url), None, None
    else:
        token, generated, refresh = _generated(data_dir, url, args)
    with hub_server(data_dir, free_port(), database_url=url) as served:
        headers = {
            "api": {"Authorization": f"Bearer {token}"},
            "page": browser_login(served.port, ADMIN),
        }
        answers = answer_times(served.port, headers, args.n)
    made = None if args.reuse else (args.events, args.resources, args.days)  # --reuse: unknown
    return {
        "events": made and made[0],
        "resources": made and made[1],
        "days": made and made[2],
        "generate": generated,
        "refresh": refresh,
        "answers": answers,
    }


def _generated(data_dir: Path, url: str, args) -> tuple[str, dict, dict]:
    """A fresh database filled and folded: the administrator's token and what each step took."""
    hub, _ = prepare_hub(data_dir, url)
    make_user(hub, email=ADMIN[0], password=ADMIN[1], admin=True)
    token = make_token(hub, ADMIN[0])
    generated = stats_data.generate(
        url, args.events, args.resources, args.days, say=_say, spread=args.spread
    )
    started = time.perf_counter()
    folded = hub.stats.refresh()
    refresh = {**folded, "seconds": round(time.perf_counter() - started, 1)}
    _say(f"refresh {refresh}")
    hub.close()
    return token, generated, refresh


def _reused(data_dir: Path, url: str) -> str:
    """A database an earlier run generated: a new token for its administrator, nothing else."""
    hub = bootstrap(hub_config(data_dir, url))
    token = make_token(hub, ADMIN[0])
    hub.close()
    return token


def _say(line: str) -> None:
    print(f"{datetime.now(UTC):%H:%M:%S} {line}", flush=True)


if __name__ == "__main__":
    main()
