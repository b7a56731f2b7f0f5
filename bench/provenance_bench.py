"""What provenance and duplicate linking cost a harvest: records/s end to end with and without.

The OAI-PMH harvest of bench/harvest_bench.py (a static provider on loopback, a fresh hub on the
embedded defaults, then the outbox until the index holds every record), run in one process:
  without  the provenance router off (`hub.harvest.runner.ROUTER = NullPathRouter`: no origin
           stamped, no path or host lookups) and no work linking before indexing
           (`hub.services.indexer.LINK` a no-op);
  with     the hub as shipped: each record's first origin stamped and looked up by origin key,
           paths looked up per batch, exact duplicates linked before indexing.
Rounds alternate without/with, then with/without, so the machine's load falls on both alike;
the ratio is with/without of the summed records per second (and of the CPU seconds).
    python bench/provenance_bench.py --records 100000 --out bench/out
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402
from harvest_bench import end_to_end, serve, write_pages  # noqa: E402

from hub.harvest import paths, runner  # noqa: E402
from hub.services import indexer, works  # noqa: E402
from metadata import analysis  # noqa: E402
from metadata.vocabularies import load_vocabularies  # noqa: E402


def provenance(on: bool) -> None:
    """Switch provenance and duplicate linking on or off for the harvests run in this process."""
    runner.ROUTER = paths.PathRouter if on else paths.NullPathRouter
    indexer.LINK = works.link if on else (lambda session, ids: set())


def warm_up() -> None:
    """Load the segmenter's dictionary and the vocabularies before the first timed run."""
    analysis.index_text(analysis.normalize("预热 宁夏 黄河文化"))
    load_vocabularies()


def measure(url: str, root: Path, name: str, on: bool) -> dict:
    provenance(on)
    try:
        result = end_to_end(url, root / name)
    finally:
        provenance(True)
    result["rps"] = round(result["created"] / result["total_s"])
    return result


def run(records: int, rounds: int, tmp: Path) -> dict:
    context = get_context("spawn")
    ports = context.Queue()
    (tmp / "pages").mkdir()
    write_pages(tmp / "pages", records)
    server = context.Process(target=serve, args=(str(tmp / "pages"), ports), daemon=True)
    server.start()
    try:
        url = f"http://127.0.0.1:{ports.get(timeout=30)}/oai"
        warm_up()
        before = machine()
        runs = {"without": [], "with": []}
        for n in range(rounds):
            order = (("without", False), ("with", True))
            for label, on in order if n % 2 == 0 else order[::-1]:
                runs[label].append(measure(url, tmp, f"{label}-{n}", on))
        for label in runs:
            bad = [r for r in runs[label] if r["created"] != records or r["indexed"] != records]
            if bad:
                raise SystemExit(f"{label}: a run did not harvest and index {records}: {bad}")
    finally:
        server.terminate()
        server.join(5)
    total = {label: sum(r["total_s"] for r in rs) for label, rs in runs.items()}
    cpu = {label: sum(r["cpu_total_s"] for r in rs) for label, rs in runs.items()}
    return {
        "records": records,
        "rounds": rounds,
        "machine_before": before,
        "runs": runs,
        "rps_without": round(records * rounds / total["without"]),
        "rps_with": round(records * rounds / total["with"]),
        "ratio": round(total["without"] / total["with"], 3),
        # CPU seconds of the hub (sync and indexing): steadier than wall time on a shared machine.
        "ratio_cpu": round(cpu["without"] / cpu["with"], 3),
        "loadavg_after": machine()["loadavg"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="eduhub-bench-provenance-"))
    try:
        result = run(args.records, args.rounds, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "provenance.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
