"""`bench/register_bench.py` on a tiny register: it imports, then finds everything unchanged."""

from __future__ import annotations

from tests.bench.test_bench_scripts import bench, read


def test_register_bench_imports_orgs_and_users_then_finds_them_unchanged(tmp_path):
    bench("register_bench.py", "--schools", 44, "--users", 30, "--out", tmp_path)
    result = read(tmp_path / "register.json")
    assert result["orgs_import"]["summary"].startswith("72 created")
    assert result["orgs_reimport"]["summary"].startswith("0 created, 0 updated, 72 unchanged")
    assert result["users_import"]["summary"].startswith("30 created")
    assert result["users_reimport"]["summary"].startswith("0 created, 0 updated, 30 unchanged")
