"""The embedded broker under a long load: PRODUCERS processes send TASKS probe tasks each while a
real worker runs them; every task must run exactly once. Writes bench/out/broker-N.json."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import Config  # noqa: E402
from hub.tasks.embedded import stop_worker  # noqa: E402
from tests.support import probe_tasks  # noqa: E402


def run(data_dir: Path, producers: int, per_producer: int, timeout: float) -> dict:
    config = Config.from_env(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        broker_url=f"filesystem://{data_dir / 'broker'}",
        secret_key="bench",
        beat_schedule={},
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    path, total = data_dir / "executed.txt", producers * per_producer
    with open(data_dir / "worker.log", "ab") as log:
        worker = probe_tasks.start_probe_worker(config, log)
        started = time.monotonic()
        context = multiprocessing.get_context("spawn")
        senders = [
            context.Process(target=probe_tasks.produce, args=(config, str(path), p, per_producer))
            for p in range(producers)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        sent = time.monotonic() - started
        while _executed(path) < total and time.monotonic() - started < timeout:
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        alive = worker.poll() is None
        stop_worker(worker)
    counts = Counter(path.read_text().split() if path.exists() else [])
    return {
        "tasks": total,
        "producers": producers,
        "ran_once": sum(1 for c in counts.values() if c == 1),
        "ran_twice_or_more": sum(1 for c in counts.values() if c > 1),
        "missing": total - len(counts),
        "worker_alive_at_end": alive,
        "send_seconds": round(sent, 1),
        "tasks_per_second_with_worker_start": round(len(counts) / elapsed, 1),
    }


def _executed(path: Path) -> int:
    return len(path.read_text().split()) if path.exists() else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=5000, help="tasks per producer")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(Path(tmp) / "var", args.producers, args.tasks, args.timeout)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"broker-{result['tasks']}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    ok = result["missing"] == result["ran_twice_or_more"] == 0 and result["worker_alive_at_end"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
