"""The school register and user lists: seconds for `eduhub orgs import` and `eduhub users import`.

    python bench/register_bench.py [--schools 1766] [--users 40000] [--out bench/out]

A fresh embedded hub (SQLite) in a temp directory; the register is generated (hub.demo.register:
the province, 5 cities, 22 counties, then --schools example schools, listed before their counties so
the import must order parents first), the users are spread over the schools. Each import runs twice
as an operator would run it (`eduhub ...` in a subprocess, interpreter start included): the first
run creates everything, the second finds everything unchanged. `startup` is `eduhub orgs --help`:
the interpreter and imports every command pays.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from common import eduhub, failed, machine, write_json

from hub.demo.register import register_csv, register_rows
from metadata.vocabularies import load_vocabularies


def timed(env: dict, *args: str) -> dict:
    started = time.perf_counter()
    result = eduhub(*args, env=env)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise failed(result)
    return {"seconds": round(seconds, 2), "summary": result.stdout.splitlines()[0]}


def users_csv(schools: list[dict], count: int) -> bytes:
    roles = ("teacher", "teacher", "teacher", "contributor", "reviewer")
    lines = ["email,name,org,role"]
    for n in range(count):
        school = schools[n % len(schools)]["code"]
        lines.append(f"t{n:06d}@example.cn,示例教师{n},{school},{roles[n % len(roles)]}")
    return ("\n".join(lines) + "\n").encode()


def run(args, tmp: Path) -> dict:
    env = {**os.environ, "EDUHUB_DATA_DIR": str(tmp / "var"), "EDUHUB_SECRET_KEY": "bench"}
    for name in ("EDUHUB_DATABASE_URL", "EDUHUB_STORAGE_URL", "EDUHUB_SEARCH_URL"):
        env.pop(name, None)
    env["EDUHUB_BROKER_URL"] = "memory://"
    if (result := eduhub("db", "upgrade", env=env)).returncode != 0:
        raise failed(result)
    rows = register_rows(load_vocabularies(), args.schools)[::-1]
    (tmp / "register.csv").write_bytes(register_csv(rows))
    schools = [r for r in rows if r["kind"] == "school"]
    (tmp / "users.csv").write_bytes(users_csv(schools, args.users))
    return {
        "schools": args.schools,
        "users": args.users,
        "startup": timed(env, "orgs", "--help"),  # the fixed cost in every figure below
        "orgs_import": timed(env, "orgs", "import", str(tmp / "register.csv")),
        "orgs_reimport": timed(env, "orgs", "import", str(tmp / "register.csv")),
        "users_import": timed(env, "users", "import", str(tmp / "users.csv")),
        "users_reimport": timed(env, "users", "import", str(tmp / "users.csv")),
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=1766)
    parser.add_argument("--users", type=int, default=40_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="register-bench-") as tmp:
        result = run(args, Path(tmp))
    write_json(args.out / "register.json", result)
    for name in ("startup", "orgs_import", "orgs_reimport", "users_import", "users_reimport"):
        print(f"{name}: {result[name]['seconds']} s ({result[name]['summary']})")


if __name__ == "__main__":
    main()
