"""CPU per search request, in-process, beside the engine alone: the figure the load of a shared
machine disturbs least.

Each query of `search_bench.MIX` goes through the Flask test client (argument parsing, search
service, database reads, serialisation, JSON), then the same `SearchQuery` straight on the index;
`time.process_time()` of each.

    python bench/search_cpu.py --data-dir DIR_LOADED_BY_search_bench \\
        [--facets stage,subject,grade,type]
    # an older tree (git archive), for before/after:
    python bench/search_cpu.py --repo /tmp/old-tree --data-dir DIR
    # where one query's time goes: cProfile of its requests, the top functions on stderr
    python bench/search_cpu.py --data-dir DIR --profile "query + four filters"
    # as `eduhub serve` runs the app: JSON access log written (to /dev/null), metrics in files,
    # gc.freeze() after the app is built
    python bench/search_cpu.py --data-dir DIR --served
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import logging
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode


def measure(
    data_dir: Path, n: int, facets: str | None, profile: str | None = None, served: bool = False
) -> dict:
    import common
    from search_bench import MIX, percentiles

    from hub import create_app
    from hub.http.context import current_hub
    from hub.search import FACETS, PUBLIC, SearchQuery
    from hub.services.search import FACET_PARAMS, PARAMS

    if served:
        as_served()
    app = create_app(common.hub_config(data_dir))
    if served:
        gc.freeze()  # as `eduhub serve` does before gunicorn forks
    client = app.test_client()
    with app.app_context():
        index = current_hub().index
    fields = (
        FACETS
        if facets is None
        else tuple(f for f, name in FACET_PARAMS.items() if name in facets.split(","))
    )
    out = {}
    for name, params in MIX.items():
        path = "/api/v1/resources?" + urlencode(
            dict(params, **({"facets": facets} if facets else {})), doseq=True
        )
        filters = {
            PARAMS[k]: (v if isinstance(v, list) else [v]) for k, v in params.items() if k in PARAMS
        }
        query = SearchQuery(
            q=params.get("q", ""),
            filters=filters,
            page=int(params.get("page", 1)),
            size=int(params.get("size", 20)),
            facets=fields,
            scope=PUBLIC,
        )
        request_cpu, engine_cpu, corrected_cpu = [], [], []
        for i in range(n + 5):  # 5 warm-up
            started = time.process_time()
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.data[:300]!r}")
            between = time.process_time()
            found = index.search(query).total
            searched = time.process_time()
            # A search that finds nothing also asks the engine for a correction (several probes):
            # part of answering the same query, measured apart.
            if not found and query.q:
                index.did_you_mean(query)
            if i >= 5:
                request_cpu.append(between - started)
                engine_cpu.append(searched - between)
                corrected_cpu.append(time.process_time() - between)
        if name == profile:
            profiled(client, path, n)
        out[name] = {
            "request_cpu_ms": percentiles(request_cpu),
            "engine_cpu_ms": percentiles(engine_cpu),
            "engine_with_correction_cpu_ms": percentiles(corrected_cpu),
        }
        print(name, out[name], flush=True)
    return out


def as_served() -> None:
    """The log and metrics set-up of `eduhub serve`: every access line formatted and written."""
    from hub import logs

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="search-cpu-metrics-")
    logs.configure("json")
    logging.getLogger().handlers[0].setStream(open(os.devnull, "w"))  # noqa: SIM115 (process-long)


def profiled(client, path: str, n: int) -> None:
    """The requests of one query under cProfile, after the timed ones (profiling slows them)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument(
        "--facets", default=None, help="API names, comma-separated; default every facet"
    )
    parser.add_argument(
        "--repo",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the source tree to measure (its bench/ is used too)",
    )
    parser.add_argument(
        "--profile", default=None, help="a query of the mix (e.g. 'one word') to profile"
    )
    parser.add_argument(
        "--served", action="store_true", help="log and count as `eduhub serve` does; gc.freeze()"
    )
    args = parser.parse_args()
    sys.path[:0] = [str(args.repo / "bench"), str(args.repo)]
    result = measure(args.data_dir, args.n, args.facets, args.profile, args.served)
    json.dump(result, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
