"""Search at scale (issue 3, "Measured"): corpus load with `eduhub import`, `eduhub search rebuild`
rate, latency over HTTP for a mix of queries beside the engine alone on the same queries, and the
web process's memory.

    python bench/search_bench.py --count 100000 --out bench/out  # about 10 minutes on 2 cores
    # a million, in steps on a kept data directory (the load alone takes most of an hour on 2
    # busy cores):
    nice -n 10 python bench/search_bench.py --count 1000000 --data-dir /var/tmp/search-1m \\
        --steps load
    nice -n 10 python bench/search_bench.py --count 1000000 --data-dir /var/tmp/search-1m \\
        --steps rebuild,queries
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

# name -> query parameters, as a teacher's search page sends them.
MIX = {
    "one word": {"q": "分数"},
    "several words": {"q": "人教版五年级数学分数乘法教学设计"},
    "filter only": {"subject": "math"},
    "query + four filters": {
        "q": "函数",
        "stage": "senior",
        "subject": "math",
        "type": "courseware",
        "volume": "full",
    },
    "facet-heavy": {
        "stage": "junior",
        "subject": ["math", "physics"],
        "grade": "g8",
        "type": "exam",
    },
    "deep page": {"q": "教学", "page": 99, "size": 20},
}


def env_for(data_dir: Path) -> dict:
    config = common.hub_config(data_dir)
    return {
        **os.environ,
        "EDUHUB_DATA_DIR": str(data_dir),
        "EDUHUB_DATABASE_URL": config.database_url,
        "EDUHUB_STORAGE_URL": config.storage_url,
        "EDUHUB_SEARCH_URL": config.search_url,
        "EDUHUB_BROKER_URL": config.broker_url,
        "EDUHUB_SECRET_KEY": "bench",
    }


def timed(args: list[str], env: dict) -> tuple[float, str]:
    """Seconds `eduhub ARGS` took and the end of its output; exit status not 0 stops the bench."""
    started = time.perf_counter()
    result = common.eduhub(*args, env=env)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise common.failed(result)
    return seconds, result.stdout.strip()[-500:]


def reported(pattern: str, text: str) -> int:
    """The number a command printed (e.g. "Indexed 100 resources"); none printed stops the bench."""
    found = re.search(pattern, text)
    if not found:
        raise SystemExit(f"expected {pattern!r} in the command's output:\n{text}")
    return int(found.group(1))


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda p: ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]  # noqa: E731
    return {
        "p50": round(pick(50) * 1000, 2),
        "p95": round(pick(95) * 1000, 2),
        "p99": round(pick(99) * 1000, 2),
    }


def http_latency(port: int, params: dict, n: int) -> list[float]:
    """Sequential requests on one keep-alive connection (the latency a single teacher sees)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    path = "/api/v1/resources?" + urlencode(params, doseq=True)
    samples = []
    for i in range(n + 5):
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
        if i >= 5:  # warm-up
            samples.append(time.perf_counter() - started)
    conn.close()
    return samples


def engine_latency(data_dir: Path, params: dict, n: int) -> tuple[list[float], int]:
    """The same search as the service makes (public scope, the facets asked for or all), straight on
    the index."""
    from hub.search import FACETS, PUBLIC, SearchQuery, index_from_url
    from hub.services.search import FACET_FIELDS, PARAMS

    facets = (
        FACETS
        if "facets" not in params
        else tuple(FACET_FIELDS[f] for f in params["facets"].split(",") if f)
    )
    index = engine_latency.__dict__.setdefault(
        "index", index_from_url(f"tantivy://{data_dir / 'index'}")
    )
    filters = {
        PARAMS[k]: (v if isinstance(v, list) else [v]) for k, v in params.items() if k in PARAMS
    }
    query = SearchQuery(
        q=params.get("q", ""),
        filters=filters,
        page=int(params.get("page", 1)),
        size=int(params.get("size", 20)),
        facets=facets,
        scope=PUBLIC,
    )
    samples, total = [], 0
    for i in range(n + 5):
        started = time.perf_counter()
        result = index.search(query)
        if i >= 5:
            samples.append(time.perf_counter() - started)
        total = result.total
    return samples, total


def build_rate(data_dir: Path, sample: int = 5000) -> dict:
    """Documents read from the database and built, in this one process, after the first page (which
    loads the segmentation dictionary and the pinyin tables)."""
    from hub.bootstrap import bootstrap
    from hub.services.indexer import indexable_documents

    hub = bootstrap(common.hub_config(data_dir))
    docs = indexable_documents(hub.db)
    for _ in zip(range(1000), docs):
        pass
    started, count = time.perf_counter(), 0
    for _ in zip(range(sample), docs):
        count += 1
    build = time.perf_counter() - started
    docs.close()
    hub.close()
    return {"documents_per_s_building_one_core": round(count / build)}


def load(data_dir: Path, count: int) -> dict:
    """A migrated hub with one school, and `count` generated records loaded with `eduhub import
    --publish`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    hub, _world = common.prepare_hub(data_dir)
    hub.close()
    corpus = data_dir / "corpus.jsonl"
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parent / "search_corpus.py"),
            "--count",
            str(count),
            "--out",
            str(corpus),
        ],
        check=True,
    )
    corpus_seconds, load_before = time.perf_counter() - started, os.getloadavg()[0]
    cpu_before = _children_cpu()
    # Exit 0 only: `import` exits 1 when a line failed, and so does a crash; every line is valid.
    seconds, text = timed(
        ["import", str(corpus), "--publish", "--batch-size", "2000"], env_for(data_dir)
    )
    created = common.count(data_dir, common.PUBLISHED)
    if created != count or reported(r"(\d+) imported", text) != count:
        raise SystemExit(f"import made {created} published records of {count}:\n{text}")
    result = {
        "corpus_seconds": round(corpus_seconds, 1),
        "seconds": round(seconds, 1),
        "created": created,
        "per_s": round(created / seconds),
        "cpu_seconds": round(_children_cpu() - cpu_before, 1),
        "load_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "output": text,
    }
    print("import:", result, flush=True)
    return result


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args) -> dict:
    out = {"machine": common.machine(), "count": args.count, "steps": args.steps}
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="eduhub-bench-search-", dir=args.tmp))
    out["data_dir"] = str(data_dir)
    if "load" in args.steps:
        out["import"] = load(data_dir, args.count)
    if "rebuild" in args.steps:
        out.update(rebuild(data_dir, args.workers))
    if "queries" in args.steps:
        out.update(queries(data_dir, args.n, args.facets))
    return out


def rebuild(data_dir: Path, workers: list[str]) -> dict:
    out, env = {}, env_for(data_dir)
    for i, n in enumerate(workers):
        key = (
            f"rebuild_{n}" if f"rebuild_{n}" not in out else f"rebuild_{n}_run{i + 1}"
        )  # --workers 1,2,1
        load_before = os.getloadavg()
        cpu_before = _children_cpu()
        # The bench's own tree: the command and its worker processes (the bench adds a constant).
        with common.RssSampler(os.getpid(), interval=0.2) as memory:
            seconds, text = timed(["search", "rebuild", "--workers", n], env)
        indexed, wanted = (
            reported(r"Indexed (\d+) resources", text),
            common.count(data_dir, common.PUBLISHED),
        )
        if indexed != wanted:
            raise SystemExit(f"rebuild indexed {indexed} of {wanted} published records:\n{text}")
        out[key] = {
            "seconds": round(seconds, 1),
            "indexed": indexed,
            "per_s": round(indexed / seconds),
            # The command's own rate: from reading the database to the swap, start-up left out.
            "command_per_s": int(re.search(r"\(([\d,]+)/s\)", text).group(1).replace(",", "")),
            "memory": memory.summary(),
            "cpu_seconds": round(_children_cpu() - cpu_before, 1),
            "output": text,
            "load_before_after": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        }
        print(f"rebuild --workers {n}:", out[key], flush=True)
    out["build"] = build_rate(data_dir)
    out["index_mb"] = round(
        sum(p.stat().st_size for p in (data_dir / "index").rglob("*") if p.is_file()) / 1e6, 1
    )
    return out


def queries(data_dir: Path, n: int, facets: str | None = None) -> dict:
    """HTTP and engine latency of each query of the mix, and the web process's memory before, during
    and after."""
    out, port = {"queries": {}, "load_before": round(os.getloadavg()[0], 1)}, common.free_port()
    with common.hub_server(data_dir, port) as server:
        with common.RssSampler(server.proc.pid) as memory:
            for name, params in MIX.items():
                params = dict(params, facets=facets) if facets is not None else params
                hub_samples = http_latency(port, params, n)
                engine_samples, total = engine_latency(data_dir, params, n)
                h, e = percentiles(hub_samples), percentiles(engine_samples)
                out["queries"][name] = {
                    "params": params,
                    "total": total,
                    "http_ms": h,
                    "engine_ms": e,
                    "ratio_p50": round(h["p50"] / max(e["p50"], 1e-6), 2),
                    "ratio_p95": round(h["p95"] / max(e["p95"], 1e-6), 2),
                    "ratio_p99": round(h["p99"] / max(e["p99"], 1e-6), 2),
                }
                print(name, out["queries"][name], flush=True)
        rss, pss = common.tree_memory(
            server.proc.pid
        )  # after the query run: what the index keeps resident
        out["memory"] = {
            **memory.summary(),
            "after_rss_mb": round(rss / 1e6, 1),
            "after_pss_mb": round(pss / 1e6, 1),
        }
    out["load_after"] = round(os.getloadavg()[0], 1)
    print("memory:", out["memory"], flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=200, help="requests per query (after 5 warm-up)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--tmp", default=None)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the hub lives (kept); default a new temp directory",
    )
    parser.add_argument(
        "--steps",
        default=None,
        type=lambda v: v.split(","),
        help="any of load (corpus + import), rebuild, queries, comma separated; default all of "
        "them, or rebuild,queries on a --data-dir an earlier run loaded",
    )
    parser.add_argument(
        "--workers",
        default="1",
        type=lambda v: v.split(","),
        help="`search rebuild --workers` values to time, e.g. 1,2",
    )
    parser.add_argument(
        "--facets",
        default=None,
        help="count only these facets (API names, comma-separated, as a page asks); default all",
    )
    args = parser.parse_args()
    if args.steps is None:
        loaded = args.data_dir is not None and (args.data_dir / "hub.db").exists()
        args.steps = ["rebuild", "queries"] if loaded else ["load", "rebuild", "queries"]
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    # A full run keeps the name `make bench` (web_bench.py --data-dir-from) reads; a partial one
    # says its steps.
    steps = "" if set(args.steps) >= {"load", "rebuild", "queries"} else "-" + "-".join(args.steps)
    common.write_json(args.out / f"search-{args.count}{steps}.json", result)


if __name__ == "__main__":
    main()
