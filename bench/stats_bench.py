"""Usage events and stats: downloads a second with recording on vs off; stats answer times.

    python bench/stats_bench.py [--runs 3] [--seconds 10] [--connections 4] [--events 200000]
        [--resources 20000] [--n 50] [--out bench/out]

Download side: a published PDF fetched from 2 gunicorn workers, recording off and on in
alternating runs (the rate limit raised so every request is buffered). Stats side: `--events`
usage events and `--resources` published records generated straight into the database, folded
by `eduhub stats refresh`, then `/stats/usage` and `/stats/coverage` timed `--n` times each as an
administrator (p50/p95). The issue's size is --events 10000000 --resources 1000000.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from common import free_port, hub_server, machine, median, prepare_hub, write_json
from record_rps import published_record, run_python

STAGES = {"primary": ["g1", "g3", "g5"], "junior": ["g7", "g8"], "senior": ["g10", "g11"]}
SUBJECTS = ["chinese", "math", "english", "physics", "history"]
REGIONS = ["640104", "640402", "640522", "640303", "640121"]


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


def generate(hub, world, events: int, resources: int) -> dict:
    """Published records and usage events inserted in bulk, spread over the last 90 days."""
    from sqlalchemy import insert

    from hub.db.models import Resource
    from hub.db.models.usage import EVENT_KINDS, UsageEvent

    rng = random.Random(11)
    org_id = world["contributor"].roles[0].org_id
    started = time.perf_counter()
    ids = []
    with hub.db.session() as session:
        rows = []
        for _ in range(resources):
            stage = rng.choice(list(STAGES))
            rid = str(uuid.uuid4())
            ids.append((rid, stage))
            rows.append(
                dict(
                    id=rid,
                    lineage_id=rid,
                    title="基准",
                    status="published",
                    stage=stage,
                    subjects=[rng.choice(SUBJECTS)],
                    grades=[rng.choice(STAGES[stage])],
                    org_id=org_id,
                    region=rng.choice(REGIONS),
                )
            )
        session.execute(insert(Resource), rows)
        now = datetime.now(UTC)
        for start in range(0, events, 20_000):
            batch = [_event(rng, now, ids, EVENT_KINDS) for _ in range(min(20_000, events - start))]
            session.execute(insert(UsageEvent), batch)
        session.commit()
    return {"seconds": round(time.perf_counter() - started, 1)}


def _event(rng, now, ids, kinds) -> dict:
    rid, stage = rng.choice(ids)
    return dict(
        at=now - timedelta(seconds=rng.randrange(90 * 86400)),
        kind=rng.choice(kinds),
        resource_id=rid,
        file_name="课件.pdf",
        stage=stage,
        subjects=[rng.choice(SUBJECTS)],
        grades=[rng.choice(STAGES[stage])],
        type="courseware",
        org="bench-school",
        region=rng.choice(REGIONS),
        visitor_org=rng.choice(["bench-school", None]),
        visitor_region=rng.choice(REGIONS),
        visitor_key=f"{rng.randrange(50_000):032x}",
    )


def answer_times(base: str, token: str, n: int) -> dict:
    paths = {
        "usage_by_region": "/api/v1/stats/usage?event=download&by=region",
        "usage_by_day_90": "/api/v1/stats/usage?event=view&by=day&from="
        + (datetime.now(UTC).date() - timedelta(days=89)).isoformat(),
        "coverage": "/api/v1/stats/coverage?by=stage,subject,grade",
    }
    out = {}
    for name, path in paths.items():
        times = []
        for _ in range(n):
            request = urllib.request.Request(
                base + path, headers={"Authorization": f"Bearer {token}"}
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request) as response:
                response.read()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[name] = {
            "p50_ms": round(times[len(times) // 2], 1),
            "p95_ms": round(times[min(int(0.95 * len(times)), len(times) - 1)], 1),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--resources", type=int, default=20_000)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    before = machine()
    root = Path(tempfile.mkdtemp(prefix="eduhub-bench-stats-"))
    try:
        resource_id = published_record(root / "hub")
        downloads = download_rates(root / "hub", resource_id, args)
        report = {"downloads": downloads, **stats_side(root / "stats", args)}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report.update(machine_before=before, machine_after=machine(), command=" ".join(sys.argv))
    write_json(args.out / "stats.json", report)
    print(
        f"downloads rps off {downloads['rps_off']} on {downloads['rps_on']} "
        f"ratio {downloads['ratio_on_off']}; refresh {report['refresh']}; "
        f"answers {report['answers']}"
    )


def stats_side(data_dir: Path, args) -> dict:
    from tests.factories import make_token, make_user

    hub, world = prepare_hub(data_dir)
    make_user(hub, email="admin@bench.cn", admin=True)
    token = make_token(hub, "admin@bench.cn")
    generated = generate(hub, world, args.events, args.resources)
    started = time.perf_counter()
    folded = hub.stats.refresh()
    refresh = {**folded, "seconds": round(time.perf_counter() - started, 1)}
    hub.close()
    with hub_server(data_dir, free_port()) as server:
        answers = answer_times(server.base, token, args.n)
    return {
        "events": args.events,
        "resources": args.resources,
        "generate": generated,
        "refresh": refresh,
        "answers": answers,
    }


if __name__ == "__main__":
    main()
