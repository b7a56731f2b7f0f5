"""Offline bundles: export and import MB/s beside `zip -0` and `unzip` of the same files; memory.

A hub (embedded defaults) is filled with RESOURCES published records, one file of FILE_KB random
bytes each (an MP4 header, so stored as video/mp4). In each run, interleaved on the same files:
  export  `eduhub bundle export --out B.zip` (everything)  vs  `zip -0 -q -r` of the same files;
  import  `eduhub bundle import B.zip --trust-key K` into a fresh hub (signature, every SHA-256,
          store, records)                                  vs  `unzip -q` of the zip -0 archive.
Peak RSS of each command is its own (wait4; the bench process stays small, the hub is filled in a
spawned child), so a flat figure across sizes means memory does not grow with the bundle. A second,
quarter-size hub is measured the same way for the comparison.
    python bench/bundle_bench.py --resources 1000 --file-kb 1100 --runs 3 --out bench/out
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EDUHUB, REPO, hub_config, machine, write_json  # noqa: E402

MP4_HEADER = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def fill(data_dir: Path, files_dir: Path, resources: int, file_kb: int) -> None:
    """A migrated hub with `resources` published records and their files (run in a child)."""
    from hub.bootstrap import bootstrap
    from hub.db import migrate
    from hub.db.models import Organisation
    from hub.services.bulk import BulkImporter
    from tests.resource_factories import valid_record

    config = hub_config(data_dir)
    migrate.upgrade(config.database_url)
    hub = bootstrap(config)
    with hub.db.session() as session:
        org = Organisation(code="nx", name="宁夏", kind="province", region="640000", path="/")
        session.add(org)
        session.flush()
        org.path = f"/{org.id}/"
        session.commit()
    files_dir.mkdir(parents=True)
    lines = []
    for i in range(resources):
        path = files_dir / f"{i:05d}.mp4"
        path.write_bytes(MP4_HEADER + os.urandom(file_kb * 1024 - len(MP4_HEADER)))
        files = [{"name": f"第{i}课 微课.mp4", "path": str(path)}]
        lines.append(json.dumps(valid_record(title=f"微课第{i}号：光合作用", files=files)))
    jsonl = files_dir.parent / "records.jsonl"
    jsonl.write_text("\n".join(lines), encoding="utf-8")
    report = BulkImporter(hub, org="nx", publish=True).run(jsonl)
    jsonl.unlink()
    hub.close()
    if report.imported != resources:
        raise SystemExit(f"the bulk import failed: {report.errors[:3]}")


def env_for(data_dir: Path) -> dict:
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDUHUB_")}
    return env | {
        "EDUHUB_DATA_DIR": str(data_dir),
        "EDUHUB_BROKER_URL": "memory://",
        "EDUHUB_SECRET_KEY": "bench",
        "PYTHONPATH": python_path,
    }


def run(argv: list[str], env: dict | None = None, cwd: Path | None = None) -> dict:
    """Wall seconds and the command's own peak RSS (MB, wait4); a non-zero exit stops the bench."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            argv, env=env, cwd=cwd or REPO, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"{argv} exited {proc.returncode}\n{err.read().decode()[-2000:]}")
        printed = out.read().decode(errors="replace")[-300:]
    return {"s": seconds, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "stdout": printed}


def one_run(work: Path, origin: Path, files_dir: Path, key: str, n: int) -> dict:
    bundle, plain = work / f"bundle-{n}.zip", work / f"plain-{n}.zip"
    target = work / f"target-{n}"
    env_origin, env_target = env_for(origin), env_for(target)
    run([*EDUHUB, "db", "upgrade"], env_target)
    result = {}
    order = ["zip", "export"] if n % 2 else ["export", "zip"]
    for step in order:
        if step == "zip":
            argv = ["zip", "-0", "-q", "-r", str(plain), files_dir.name]
            result["zip"] = run(argv, cwd=files_dir.parent)
        else:
            argv = [*EDUHUB, "bundle", "export", "--out", str(bundle)]
            result["export"] = run(argv, env_origin)
    unpacked = work / f"unzipped-{n}"
    for step in reversed(order):
        if step == "zip":
            result["unzip"] = run(["unzip", "-q", str(plain), "-d", str(unpacked)])
        else:
            argv = [*EDUHUB, "bundle", "import", str(bundle), "--trust-key", key]
            result["import"] = run(argv, env_target)
    result["bundle_bytes"] = bundle.stat().st_size
    for path in (bundle, plain):
        path.unlink()
    shutil.rmtree(unpacked)
    shutil.rmtree(target)
    return result


def measure(tmp: Path, resources: int, file_kb: int, runs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bundle-{resources}-", dir=tmp))
    try:
        origin, files_dir = work / "origin", work / "src" / "files"
        child = get_context("spawn").Process(
            target=fill, args=(origin, files_dir, resources, file_kb)
        )
        child.start()
        child.join()
        if child.exitcode:
            raise SystemExit(f"filling the hub failed (exit {child.exitcode})")
        total = resources * file_kb * 1024
        key_run = subprocess.run(
            [*EDUHUB, "bundle", "key"],
            env=env_for(origin),
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        key = key_run.stdout.strip().splitlines()[-1]
        all_runs = [one_run(work, origin, files_dir, key, n) for n in range(runs)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    mb = total / 1e6

    def rate(step):
        return round(median(mb / r[step]["s"] for r in all_runs), 1)

    return {
        "resources": resources,
        "file_bytes": total,
        "mb_s": {step: rate(step) for step in ("export", "zip", "import", "unzip")},
        "export_vs_zip0": round(median(r["zip"]["s"] / r["export"]["s"] for r in all_runs), 2),
        "import_vs_unzip": round(median(r["unzip"]["s"] / r["import"]["s"] for r in all_runs), 2),
        "peak_rss_mb": {
            step: max(r[step]["peak_rss_mb"] for r in all_runs)
            for step in ("export", "zip", "import", "unzip")
        },
        "runs": all_runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--file-kb", type=int, default=1100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    for tool in ("zip", "unzip"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: apt-get install zip unzip")
    result = {"machine": machine(), "sizes": []}
    for resources in sorted({max(1, args.resources // 4), args.resources}):
        result["sizes"].append(measure(args.tmp, resources, args.file_kb, args.runs))
    result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    write_json(args.out / "bundle.json", result)
    for size in result["sizes"]:
        print(json.dumps({k: v for k, v in size.items() if k != "runs"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
