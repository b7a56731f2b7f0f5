"""Search at scale (issue 3, "Measured"): corpus load with `eduhub import`, `eduhub search rebuild` rate, latency
over HTTP for a mix of queries beside the engine alone on the same queries, and the web process's memory.

    python bench/search_bench.py --count 100000 --out bench/out      # about 10 minutes on 2 cores
"""
from __future__ import annotations

import argparse
import http.client
import os
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
    "query + four filters": {"q": "函数", "stage": "senior", "subject": "math", "type": "courseware",
                             "volume": "full"},
    "facet-heavy": {"stage": "junior", "subject": ["math", "physics"], "grade": "g8", "type": "exam"},
    "deep page": {"q": "教学", "page": 99, "size": 20},
}


def env_for(data_dir: Path) -> dict:
    config = common.hub_config(data_dir)
    return {**os.environ, "EDUHUB_DATA_DIR": str(data_dir), "EDUHUB_DATABASE_URL": config.database_url,
            "EDUHUB_STORAGE_URL": config.storage_url, "EDUHUB_SEARCH_URL": config.search_url,
            "EDUHUB_BROKER_URL": config.broker_url, "EDUHUB_SECRET_KEY": "bench"}


def timed(argv: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 1: `eduhub import` skipped some lines; the count says how many
        raise SystemExit(f"{' '.join(argv)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return time.perf_counter() - started, result.stdout.strip()[-500:]


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda p: ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]  # noqa: E731
    return {"p50": round(pick(50) * 1000, 2), "p95": round(pick(95) * 1000, 2), "p99": round(pick(99) * 1000, 2)}


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
    """The same search as the service makes (public scope, every facet), straight on the index."""
    from hub.search import FACETS, PUBLIC, SearchQuery, index_from_url
    from hub.services.search import PARAMS
    index = engine_latency.__dict__.setdefault("index", index_from_url(f"tantivy://{data_dir / 'index'}"))
    filters = {PARAMS[k]: (v if isinstance(v, list) else [v]) for k, v in params.items() if k in PARAMS}
    query = SearchQuery(q=params.get("q", ""), filters=filters, page=int(params.get("page", 1)),
                        size=int(params.get("size", 20)), facets=FACETS, scope=PUBLIC)
    samples, total = [], 0
    for i in range(n + 5):
        started = time.perf_counter()
        result = index.search(query)
        if i >= 5:
            samples.append(time.perf_counter() - started)
        total = result.total
    return samples, total


def build_rate(data_dir: Path, sample: int = 5000) -> dict:
    """Where rebuild time goes: documents built from the database vs. written to tantivy."""
    from hub.services import Hub
    from hub.services.indexer import indexable_documents
    hub = Hub(common.hub_config(data_dir))
    started = time.perf_counter()
    docs = []
    for doc in indexable_documents(hub):
        docs.append(doc)
        if len(docs) >= sample:
            break
    build = time.perf_counter() - started
    hub.close()
    return {"documents_per_s_building_one_core": round(len(docs) / build)}


def load(data_dir: Path, count: int) -> dict:
    """A migrated hub with one school, and `count` generated records loaded with `eduhub import --publish`."""
    hub, _world = common.prepare_hub(data_dir)
    hub.close()
    corpus = data_dir / "corpus.jsonl"
    subprocess.run([sys.executable, str(Path(__file__).parent / "search_corpus.py"), "--count", str(count),
                    "--out", str(corpus)], check=True)
    seconds, text = timed(["eduhub", "import", str(corpus), "--publish", "--batch-size", "2000"], env_for(data_dir))
    result = {"seconds": round(seconds, 1), "per_s": round(count / seconds), "output": text}
    print("import:", result, flush=True)
    return result


def run(args) -> dict:
    out = {"machine": common.machine(), "count": args.count}
    if args.data_dir:  # a data directory loaded by an earlier run: measure indexing and search only
        data_dir = args.data_dir
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="eduhub-bench-search-", dir=args.tmp))
        out["import"] = load(data_dir, args.count)
    out["data_dir"] = str(data_dir)
    env, eduhub = env_for(data_dir), ["eduhub"]
    for workers in ("1", "2"):
        seconds, text = timed(eduhub + ["search", "rebuild", "--workers", workers], env)
        out[f"rebuild_{workers}"] = {"seconds": round(seconds, 1), "output": text}
        print(f"rebuild --workers {workers}:", out[f"rebuild_{workers}"], flush=True)
    out["build"] = build_rate(data_dir)
    out["index_mb"] = round(sum(p.stat().st_size for p in (data_dir / "index").rglob("*") if p.is_file()) / 1e6, 1)
    out["queries"] = {}
    port = common.free_port()
    with common.hub_server(data_dir, port) as server:
        with common.RssSampler(server.proc.pid) as memory:
            for name, params in MIX.items():
                hub_samples = http_latency(port, params, args.n)
                engine_samples, total = engine_latency(data_dir, params, args.n)
                h, e = percentiles(hub_samples), percentiles(engine_samples)
                out["queries"][name] = {"params": params, "total": total, "http_ms": h, "engine_ms": e,
                                        "ratio_p95": round(h["p95"] / max(e["p95"], 1e-6), 2)}
                print(name, out["queries"][name], flush=True)
        out["memory"] = memory.summary()
    print("memory:", out["memory"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=200, help="requests per query (after 5 warm-up)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--tmp", default=None)
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse a data directory an earlier run loaded")
    args = parser.parse_args()
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    common.write_json(args.out / f"search-{args.count}.json", result)


if __name__ == "__main__":
    main()
