"""stats_bench.py --database-url keeps what it made; --reuse times it again without generating."""

from __future__ import annotations

import os

from tests.bench.test_bench_scripts import bench, read, stats_bench
from tests.support import postgres


def test_a_kept_database_is_timed_again_without_generating(tmp_path, postgres_server):
    name = f"eduhub_bench_keep_{os.getpid()}"
    url = postgres.create_database(postgres_server, name)
    small = ["--only", "stats", "--events", 300, "--resources", 30, "--days", 3, "--n", 1]
    try:
        bench("stats_bench.py", *small, "--database-url", url, "--out", tmp_path / "first")
        bench("stats_bench.py", "--only", "stats", "--n", 1, "--database-url", url, "--reuse",
              "--out", tmp_path / "again")  # fmt: skip
    finally:
        postgres.drop_database(postgres_server, name)
    first, again = read(tmp_path / "first" / "stats.json"), read(tmp_path / "again" / "stats.json")
    assert first["refresh"]["events"] == 300 and again["refresh"] is None
    assert set(again["answers"]) == set(first["answers"]) == {*stats_bench.answer_paths()}
