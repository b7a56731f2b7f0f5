"""OAI-PMH harvest: records/s end to end into database and index, beside fetch-and-parse alone.

A static OAI-PMH provider (pre-generated ListRecords pages of realistic Chinese oai_dc, 100 records
a page, chained by resumption tokens) runs in its own process on loopback. Measured on the same
pages:
  fetch+parse  the oaipmh connector alone: HTTP, safe lxml parse, oai_dc crosswalk to canonical
               records;
  end to end   `hub.sync.run` of an oaipmh source into a fresh hub (SQLite, embedded defaults),
               then the outbox (search indexing, tantivy) until empty.
    python bench/harvest_bench.py --records 100000 --out bench/out
    # index alongside the sync:
    python bench/harvest_bench.py --records 100000 --out bench/out --overlap
    # pages fetched strictly one after another (no prefetch thread), to see what it gains:
    python bench/harvest_bench.py --records 100000 --no-prefetch
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from hub.harvest import sync as harvest_sync
from hub.tasks.memory import MemoryTaskQueue

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import count, machine  # noqa: E402

PAGE = 100
TITLES = [
    "认识百分数",
    "分数的意义",
    "有理数的加法",
    "黄河文化导读",
    "力与运动",
    "化学反应速率",
    "古诗三首",
    "光合作用",
    "宁夏的地形与气候",
    "二元一次方程组",
    "电磁感应",
    "西夏王陵与丝绸之路",
    "长方体和正方体",
    "新能源科普",
]
WORDS = (
    "本节课围绕教材重点展开，结合宁夏本地实例，引导学生观察、思考、合作探究，"
    "并配有课后练习与拓展阅读材料。"
)


def synthetic_records(count: int, seed: int = 7):
    """Canonical records with consistent stage, grade and subject, as a province's repository would
    hold."""
    from metadata.vocabularies import load_vocabularies

    vocab = load_vocabularies()
    grades = [(t.code, t.get("stage")) for t in vocab.get("grades")]
    subjects = [(t.code, t.get("stages")) for t in vocab.get("subjects")]
    types = [t.code for t in vocab.get("types")]
    themes = [t.code for t in vocab.get("themes")]
    regions = [t.code for t in vocab.get("regions")]
    rng = random.Random(seed)
    for n in range(count):
        grade, stage = rng.choice(grades)
        subject = rng.choice([code for code, stages in subjects if stage in stages])
        yield (
            n,
            {
                "id": f"r{n:07d}",
                "title": f"{rng.choice(TITLES)}（第{n % 40 + 1}课时）",
                "description": WORDS * rng.randint(1, 3),
                "language": "zh",
                "stage": stage,
                "subjects": [subject],
                "grades": [grade],
                "type": rng.choice(types),
                "themes": rng.sample(themes, rng.randint(0, 2)),
                "keywords": [rng.choice(TITLES)[:4], "宁夏"],
                "license": "CC-BY-4.0",
                "region": rng.choice(regions),
                "creators": [{"name": f"教师{n % 997}", "role": "author"}],
                "org": "nx-bench-source",
                "updated": "2026-11-01T08:00:00Z",
                "files": [],
                "links": {"html": f"/r/r{n:07d}"},
            },
        )


def write_pages(directory: Path, count: int) -> int:
    """ListRecords pages 0..k-1; page i's token is 'p{i+1}'. Returns the number of pages."""
    from lxml import etree

    from hub.services.oai import NS
    from metadata.crosswalks import default_lookup, oai_dc

    vocab = default_lookup()
    pages = (count + PAGE - 1) // PAGE
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="{NS}">'
        "<responseDate>2026-11-29T00:00:00Z</responseDate>"
        '<request verb="ListRecords">http://127.0.0.1/oai</request><ListRecords>'
    )
    records = synthetic_records(count)
    for page in range(pages):
        parts = [head]
        for _n, record in (next(records) for _ in range(min(PAGE, count - page * PAGE))):
            metadata = etree.tostring(
                oai_dc.to_oai_dc(record, vocab=vocab, base_url="http://127.0.0.1"),
                encoding="unicode",
            )
            parts.append(
                f"<record><header><identifier>oai:bench:{record['id']}</identifier><datestamp>"
                f"2026-11-01T08:00:00Z</datestamp></header><metadata>{metadata}</metadata></record>"
            )
        if page + 1 < pages:
            parts.append(
                f'<resumptionToken completeListSize="{count}" cursor="{page * PAGE}">p{page + 1}'
                "</resumptionToken>"
            )
        parts.append("</ListRecords></OAI-PMH>")
        (directory / f"p{page}.xml").write_text("".join(parts), encoding="utf-8")
    return pages


def serve(directory: str, port_out) -> None:
    """The static provider: the first ListRecords is page 0, a resumption token names its page
    file."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            query = parse_qs(urlsplit(self.path).query)
            token = (query.get("resumptionToken") or ["p0"])[0]
            body = (Path(directory) / f"{Path(token).name}.xml").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_port)
    server.serve_forever()


def fetch_and_parse(url: str) -> tuple[int, float, float]:
    from connectors import policy_for
    from connectors.base import HttpClient, SourceConfig
    from connectors.oaipmh import OaiPmhConnector

    config = SourceConfig(name="bench", kind="oaipmh", url=url, allow_private_host=True)
    connector = OaiPmhConnector(config, HttpClient(timeout=60, policy=policy_for(config)))
    started, cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in connector.harvest(None, full=True))
    return count, time.perf_counter() - started, time.process_time() - cpu


def index_worker(data_dir: str, stop) -> None:
    """What a task worker does during a sync: carry out the outbox (search indexing) as batches
    commit; once told the sync is over, drain it and stop."""
    from common import hub_config

    from hub.bootstrap import bootstrap

    hub = bootstrap(hub_config(Path(data_dir)))
    hub.tasks = MemoryTaskQueue()
    while not stop.is_set():
        if not hub.outbox.process(limit=5000):
            time.sleep(0.05)
    while hub.outbox.process(limit=5000):
        pass
    hub.close()


def _children_cpu() -> float:
    """CPU seconds of the child processes waited for so far (the index worker, once joined)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def end_to_end(url: str, data_dir: Path, overlap: bool = False) -> dict:
    from common import prepare_hub

    from hub.db.models.sources import Source
    from hub.security.principal import SYSTEM
    from tests.factories import make_org

    hub, _world = prepare_hub(data_dir)
    hub.tasks = MemoryTaskQueue()  # the outbox is carried out below, timed on its own
    org = make_org(hub, code="nx-bench-harvest")
    with hub.uow() as uow:
        source = Source(
            name="bench-oai",
            kind="oaipmh",
            url=url,
            org_id=org["id"],
            options={},
            allow_private_host=True,  # the bench's repository runs on loopback
        )
        uow.session.add(source)
        uow.commit()
        source_id = source.id
    run = hub.sync.start(SYSTEM, source_id, full=True)
    worker, stop = None, None
    if overlap:  # the index work in its own process, alongside the sync, as a task worker does it
        context = get_context("spawn")
        stop = context.Event()
        worker = context.Process(target=index_worker, args=(str(data_dir), stop))
        worker.start()
    started, cpu, children_cpu = time.perf_counter(), time.process_time(), _children_cpu()
    done = hub.sync.run(run["id"])
    synced, synced_cpu = time.perf_counter() - started, time.process_time() - cpu
    if worker is not None:
        stop.set()
        worker.join()
    while hub.outbox.process(limit=5000):
        pass
    total, total_cpu = (
        time.perf_counter() - started,
        time.process_time() - cpu + _children_cpu() - children_cpu,
    )
    indexed = hub.index.count() if hasattr(hub.index, "count") else None
    hub.close()
    created = count(data_dir)  # the rate is of what is in the database, whatever the run reports
    if created != done["counts"]["created"] or (indexed is not None and indexed != created):
        raise SystemExit(
            f"the database holds {created} records, the index {indexed}, the sync reports "
            f"{done['counts']}"
        )
    return {
        "status": done["status"],
        "counts": done["counts"],
        "created": created,
        "sync_s": round(synced, 2),
        "index_s": round(total - synced, 2),
        "total_s": round(total, 2),
        "indexed": indexed,
        "cpu_sync_s": round(synced_cpu, 2),
        "cpu_total_s": round(total_cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--overlap",
        action="store_true",
        help="index in a second process while the sync runs, as a task worker does",
    )
    parser.add_argument(
        "--no-prefetch",
        action="store_true",
        help="fetch each page only once the one before is written (as before issue 15)",
    )
    args = parser.parse_args()
    if args.no_prefetch:
        harvest_sync.PREFETCH = False
    tmp = Path(tempfile.mkdtemp(prefix="eduhub-bench-harvest-"))
    context = get_context("spawn")
    ports = context.Queue()
    server = None
    try:
        (tmp / "pages").mkdir()
        pages = write_pages(tmp / "pages", args.records)
        server = context.Process(target=serve, args=(str(tmp / "pages"), ports), daemon=True)
        server.start()
        url = f"http://127.0.0.1:{ports.get(timeout=30)}/oai"
        before = machine()
        parsed, parse_s, parse_cpu = fetch_and_parse(url)
        e2e = end_to_end(url, tmp / "hub", overlap=args.overlap)
        if e2e["status"] != "succeeded" or not parsed == e2e["created"] == args.records:
            raise SystemExit(
                f"of {args.records} records served, {parsed} were parsed and {e2e['created']} "
                f"created (run {e2e['status']}): a bench of a failed harvest measures nothing"
            )
        result = {
            "records": args.records,
            "pages": pages,
            "page_size": PAGE,
            "overlap": args.overlap,
            "prefetch": not args.no_prefetch,
            "machine_before": before,
            "fetch_parse": {
                "records": parsed,
                "seconds": round(parse_s, 2),
                "rps": round(parsed / parse_s),
                "cpu_s": round(parse_cpu, 2),
                "per_cpu_s": round(parsed / parse_cpu),
            },
            "end_to_end": {
                **e2e,
                "rps": round(e2e["created"] / e2e["total_s"]),
                "sync_only_rps": round(e2e["created"] / e2e["sync_s"]),
                "per_cpu_s": round(e2e["created"] / e2e["cpu_total_s"]),
            },
            "loadavg_after": machine()["loadavg"],
        }
        result["ratio"] = round(result["fetch_parse"]["rps"] / result["end_to_end"]["rps"], 1)
        # The aim reads the other way: end to end as a share of fetch+parse (>= 0.5).
        result["share"] = round(result["end_to_end"]["rps"] / result["fetch_parse"]["rps"], 2)
        result["ratio_cpu"] = round(
            result["fetch_parse"]["per_cpu_s"] / result["end_to_end"]["per_cpu_s"], 1
        )
        print(json.dumps(result, ensure_ascii=False, indent=2))
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            name = "harvest-overlap.json" if args.overlap else "harvest.json"
            (args.out / name).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.join(5)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
