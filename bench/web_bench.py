"""The web pages at scale (issue 5, "Measured"): time to first byte of the search page and the
resource page, anonymous and logged in, sequential and with a few clients at once, and each page's
weight without media.

    # DIR: kept by search_bench.py; a copy is measured
    python bench/web_bench.py --data-dir DIR --out bench/out
    # builds the corpus first (~10 minutes)
    python bench/web_bench.py --count 100000 --out bench/out
    # where one request's time goes
    python bench/web_bench.py --data-dir DIR --in-place --profile '/?q=分数'
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import search_bench  # noqa: E402
import web_weight  # noqa: E402

# name -> the search page's URL, as teachers reach it: the front page, a typed word, facets clicked.
SEARCH_MIX = {
    "empty": "/",
    "one word": "/?" + urlencode({"q": "分数"}),
    "word + 2 facets": "/?" + urlencode({"q": "函数", "stage": "senior", "subject": "math"}),
    "facets only": "/?" + urlencode({"stage": "junior", "subject": "physics"}),
    "page 5": "/?" + urlencode({"q": "教学", "page": 5}),
    "no hit": "/?" + urlencode({"q": "潜水艇驾驶执照"}),
}
USER = ("web-bench@bench.cn", "web bench password")
SKIP_COPY = ("corpus.jsonl", "gunicorn-hub.log")  # large or noisy files the hub does not read


# --- the data directory --------------------------------------------------------------------------


def copy_data_dir(source: Path, target: Path) -> None:
    """Copy with reflinks where the filesystem has them, so others' data directory is never migrated
    or written."""
    target.mkdir(parents=True, exist_ok=True)
    parts = [str(p) for p in source.iterdir() if p.name not in SKIP_COPY]
    subprocess.run(["cp", "--reflink=auto", "-a", *parts, str(target)], check=True)


def prepare(args) -> tuple[Path, dict]:
    """A migrated data directory with `count` published records and a search index; what it cost to
    make."""
    env_of = search_bench.env_for
    if args.data_dir and args.in_place:
        data_dir, made = args.data_dir, {"source": str(args.data_dir), "copied": False}
    elif args.data_dir:
        data_dir = Path(tempfile.mkdtemp(prefix="eduhub-bench-web-", dir=args.tmp))
        started = time.perf_counter()
        copy_data_dir(args.data_dir, data_dir)
        made = {
            "source": str(args.data_dir),
            "copied": True,
            "copy_s": round(time.perf_counter() - started, 1),
        }
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="eduhub-bench-web-", dir=args.tmp))
        made = {"import": search_bench.load(data_dir, args.count)}
        seconds, _ = search_bench.timed(["search", "rebuild"], env_of(data_dir))
        made["rebuild_s"] = round(seconds, 1)
    seconds, text = search_bench.timed(["db", "upgrade"], env_of(data_dir))
    made["upgrade"] = {"seconds": round(seconds, 1), "output": text}
    return data_dir, made


def create_user(data_dir: Path) -> None:
    """A teacher of the bench school (or of no school in a foreign data directory); already there is
    fine."""
    env = search_bench.env_for(data_dir)
    base = ["users", "create", "--email", USER[0], "--password", USER[1]]
    for argv in (base + ["--org", "bench-school", "--role", "teacher"], base):
        result = common.eduhub(*argv, env=env)
        if result.returncode == 0 or "exist" in (result.stdout + result.stderr).lower():
            return
    raise common.failed(result)


def published_ids(data_dir: Path, n: int, seed: int = 5) -> tuple[list[str], int]:
    """`n` random public, published, latest resource ids, read from the database, and how many are
    published."""
    from sqlalchemy import create_engine, text

    engine = create_engine(common.hub_config(data_dir).database_url)
    with engine.connect() as conn:
        ids = (
            conn.execute(
                text(
                    "SELECT id FROM resources WHERE status = 'published' AND is_latest "
                    "AND visibility = 'public' ORDER BY id"
                )
            )
            .scalars()
            .all()
        )
        published = conn.execute(
            text("SELECT count(*) FROM resources WHERE status = 'published'")
        ).scalar()
    engine.dispose()
    return random.Random(seed).sample(ids, min(n, len(ids))), published


# --- time to first byte ------------------------------------------------------------------------


def timed_get(
    conn: http.client.HTTPConnection, path: str, headers: dict
) -> tuple[int, float, float, bytes]:
    """(status, seconds to the first byte of the answer, seconds to its last byte, body) on a
    keep-alive connection.

    The first byte is seen with MSG_PEEK, which waits for it without taking it from the socket, so
    http.client still reads the whole answer afterwards."""
    for _attempt in (1, 2):
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        if conn.sock.recv(1, socket.MSG_PEEK):
            first = time.perf_counter()
            response = conn.getresponse()
            body = response.read()
            return response.status, first - started, time.perf_counter() - started, body
        conn.close()  # the server closed an idle keep-alive connection: reconnect once
    raise ConnectionError(f"{path}: the server closed the connection twice")


def run_jobs(port: int, jobs: list[tuple[str, str]], headers: dict, concurrency: int) -> list[dict]:
    """Send each (label, path) once, `concurrency` clients at a time, each on its own keep-alive
    connection."""
    todo, lock, samples = list(reversed(jobs)), threading.Lock(), []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not todo:
                    break
                label, path = todo.pop()
            status, ttfb, total, _ = timed_get(conn, path, headers)
            samples.append({"label": label, "status": status, "ttfb": ttfb, "total": total})
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def summary(samples: list[dict]) -> dict:
    ok = [s for s in samples if s["status"] == 200]
    if not ok:
        return {"n": 0, "errors": len(samples)}
    return {
        "n": len(ok),
        "errors": len(samples) - len(ok),
        "ttfb_ms": search_bench.percentiles([s["ttfb"] for s in ok]),
        "total_ms": search_bench.percentiles([s["total"] for s in ok]),
    }


def browser_login(port: int, user: tuple[str, str] = USER) -> dict:
    """Log in as a browser does: GET /login for the session cookie and CSRF token, POST the form;
    the cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if not token:
        raise SystemExit("no csrf_token on /login")
    cookie = cookie_of(response)
    form = urlencode(
        {"csrf_token": token.group(1), "next": "/", "email": user[0], "password": user[1]}
    )
    conn.request(
        "POST",
        "/login",
        body=form,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 302:
        raise SystemExit(f"log-in failed: {response.status}")
    return {"Cookie": cookie_of(response)}


def cookie_of(response: http.client.HTTPResponse) -> str:
    return "; ".join(
        value.split(";", 1)[0]
        for key, value in response.getheaders()
        if key.lower() == "set-cookie"
    )


def ttfb_runs(server: common.Server, ids: list[str], args, who: str, headers: dict) -> dict:
    """Warm up, then each page kind sequentially and with `args.concurrency` clients: latency per
    kind and URL, and the server's CPU time per request, which the load other engineers put on the
    machine hardly changes."""
    warm = [("warm", p) for p in SEARCH_MIX.values()] * 3 + [
        ("warm", f"/r/{i}") for i in ids[: args.warmup]
    ]
    run_jobs(server.port, warm, headers, 2)
    kinds = {
        "search": [
            (f"search {name}", path) for name, path in SEARCH_MIX.items() for _ in range(args.n)
        ],
        "resource": [("resource", f"/r/{i}") for i in ids[args.warmup :]],
    }
    out = {}
    for concurrency in (1, args.concurrency):
        run, by_kind = {}, {}
        for kind, jobs in kinds.items():
            jobs = random.Random(concurrency).sample(jobs, len(jobs))
            cpu, started = common.tree_cpu(server.proc.pid), time.perf_counter()
            samples = by_kind[kind] = run_jobs(server.port, jobs, headers, concurrency)
            wall, cpu = time.perf_counter() - started, common.tree_cpu(server.proc.pid) - cpu
            run[kind] = {
                **summary(samples),
                "server_cpu_ms_per_request": round(cpu / len(jobs) * 1000, 1),
                "requests_per_s": round(len(jobs) / wall, 1),
            }
        run["search_urls"] = {
            label: summary([s for s in by_kind["search"] if s["label"] == label])
            for label in dict(kinds["search"])
        }
        run["loadavg_after"] = common.machine()["loadavg"]
        out[f"c{concurrency}"] = run
        print(
            f"{who} c={concurrency}: search {run['search']} | resource {run['resource']}",
            flush=True,
        )
    return out


# --- weight and hits ---------------------------------------------------------------------------


def weights(base: str, ids: list[str], headers: dict) -> dict:
    pages = {f"search {name}": path for name, path in SEARCH_MIX.items()}
    pages.update({f"resource {i}": f"/r/{i}" for i in ids[:3]})
    return {name: web_weight.page_weight(base, path, headers) for name, path in pages.items()}


def hits(base: str) -> dict:
    """How many results each search URL finds, asked of the API with the same parameters (templates
    change)."""
    out = {}
    for name, path in SEARCH_MIX.items():
        got = web_weight.fetch(base, "/api/v1/resources" + path[1:])
        out[name] = json.loads(got["body"]).get("total") if got["status"] == 200 else None
    return out


# --- one request profiled ----------------------------------------------------------------------


def profile(data_dir: Path, path: str, repeat: int, out_dir: Path) -> str:
    """One page served in-process `repeat` times under pyinstrument (after a warm-up), as text and
    HTML."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("--profile needs pyinstrument: pip install pyinstrument") from None
    from hub import create_app
    from hub.cli.serve import _preload_shared

    _preload_shared()
    client = create_app(common.hub_config(data_dir)).test_client()
    for _ in range(3):
        client.get(path)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(repeat):
            assert client.get(path).status_code == 200, path
    slug = re.sub(r"\W+", "-", path).strip("-") or "root"
    (out_dir / f"web-profile-{slug}.html").write_text(profiler.output_html())
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    (out_dir / f"web-profile-{slug}.txt").write_text(text)
    return text


# --- main --------------------------------------------------------------------------------------


def tree() -> dict:
    """The commit measured, and the files changed on top of it (others edit this tree while benches
    run)."""

    def git(*a):
        return subprocess.run(["git", *a], cwd=common.REPO, capture_output=True, text=True).stdout

    return {
        "head": git("rev-parse", "--short", "HEAD").strip(),
        "changed": [
            line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
        ],
    }


def run(args) -> dict:
    out = {"machine": common.machine(), "count": args.count, "tree": tree()}
    data_dir, out["prepare"] = prepare(args)
    out["data_dir"] = str(data_dir)
    create_user(data_dir)
    ids, out["count"] = published_ids(data_dir, args.resources + args.warmup)
    port = common.free_port()
    server = (
        cli_server(data_dir, port) if args.serve == "cli" else common.hub_server(data_dir, port)
    )
    with server:
        out["server"] = {"how": args.serve, "workers": common.WORKERS, "threads": 8}
        out["hits"] = hits(server.base)
        logged_in = {} if args.anonymous_only else browser_login(port)
        runs = {"anonymous": {}} | ({} if args.anonymous_only else {"logged_in": logged_in})
        out["ttfb"] = {
            who: ttfb_runs(server, ids, args, who, headers) for who, headers in runs.items()
        }
        out["weight"] = {who: weights(server.base, ids, headers) for who, headers in runs.items()}
    out["machine_after"] = common.machine()
    failed = {
        f"{who} {conc} {kind}": run[kind]["errors"]
        for who, runs in out["ttfb"].items()
        for conc, run in runs.items()
        for kind in ("search", "resource")
        if run[kind].get("errors")
    }
    if failed:  # a latency of error pages measures nothing
        raise SystemExit(f"requests that did not answer 200: {failed}")
    if (
        out["prepare"].get("copied") and not args.keep
    ):  # a built directory is kept for the next --data-dir
        shutil.rmtree(data_dir, ignore_errors=True)
    return out


def cli_server(data_dir: Path, port: int) -> common.Server:
    """`eduhub serve` itself: the same gunicorn, plus the embedded task worker on the embedded
    broker."""
    argv = [*common.EDUHUB, "serve", "--port", str(port), "--workers", str(common.WORKERS)]
    return common.Server(
        argv,
        port,
        data_dir / "gunicorn-hub.log",
        env=search_bench.env_for(data_dir),
        ready_path="/healthz",
    )


def table(result: dict) -> str:
    rows = [
        "who        conc  page      n     TTFB p50   p95    p99 ms   total p95 ms  "
        "errors  server CPU ms/req"
    ]
    for who, runs in result["ttfb"].items():
        for conc, run in runs.items():
            for kind in ("search", "resource"):
                s = run[kind]
                t, w = s.get("ttfb_ms", {}), s.get("total_ms", {})
                rows.append(
                    f"{who:<10} {conc:<5} {kind:<8} {s['n']:>4}  {t.get('p50', '-'):>8}"
                    f" {t.get('p95', '-'):>6} {t.get('p99', '-'):>8} {w.get('p95', '-'):>12}"
                    f"  {s.get('errors', 0):>6}  {s.get('server_cpu_ms_per_request', '-'):>17}"
                )
    rows.append("")
    rows.append(
        "page (anonymous)               HTML KB   all KB raw  all KB sent  all KB if "
        "gzip  media  broken"
    )
    for name, page in result["weight"]["anonymous"].items():
        kb = lambda n: f"{n / 1024:.1f}"  # noqa: E731
        rows.append(
            f"{name[:30]:<30} {kb(page['html']['bytes']):>8} {kb(page['total']['bytes']):>11}"
            f" {kb(page['total']['wire']):>12} {kb(page['total']['gzip6']):>15}"
            f" {page['media']['count']:>6} {len(page['broken']):>7}"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=100_000, help="records to build when no --data-dir"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="a loaded data directory (copied, then migrated)",
    )
    parser.add_argument(
        "--data-dir-from",
        type=Path,
        default=None,
        metavar="JSON",
        help="use the data_dir an earlier bench recorded (e.g. bench/out/search-100000.json), if "
        "it still exists; else build one",
    )
    parser.add_argument(
        "--in-place", action="store_true", help="migrate and serve --data-dir itself, no copy"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the copied or built data directory"
    )
    parser.add_argument("--n", type=int, default=25, help="requests per search URL in each run")
    parser.add_argument(
        "--resources", type=int, default=150, help="random resource pages in each run"
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="resource pages fetched before measuring"
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--serve",
        choices=("hub", "cli"),
        default="hub",
        help="hub: gunicorn as `eduhub serve` runs it, without the task worker; cli: `eduhub "
        "serve`",
    )
    parser.add_argument("--anonymous-only", action="store_true", help="skip the logged-in runs")
    parser.add_argument(
        "--profile", metavar="PATH", help="profile this page in-process instead (needs --data-dir)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="requests profiled with --profile")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--tmp", default=None)
    args = parser.parse_args()
    if args.data_dir_from and not args.data_dir and args.data_dir_from.exists():
        recorded = Path(json.loads(args.data_dir_from.read_text()).get("data_dir", ""))
        args.data_dir = recorded if (recorded / "hub.db").exists() else None
    args.out.mkdir(parents=True, exist_ok=True)
    if args.profile:
        print(profile(args.data_dir, args.profile, args.repeat, args.out))
        return
    result = run(args)
    common.write_json(args.out / f"web-{result['count']}.json", result)
    print(table(result))


if __name__ == "__main__":
    main()
