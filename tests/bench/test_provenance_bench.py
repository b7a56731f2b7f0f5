"""bench/provenance_bench.py on a tiny harvest: both runs harvest and index every record."""

from __future__ import annotations

import json

from tests.bench.test_bench_scripts import bench

RECORDS = 30


def test_provenance_bench_harvests_with_and_without_and_reports_the_ratio(tmp_path):
    bench("provenance_bench.py", "--records", RECORDS, "--out", tmp_path)
    result = json.loads((tmp_path / "provenance.json").read_text())
    for label in ("without", "with"):
        (run,) = result["runs"][label]
        assert run["created"] == run["indexed"] == RECORDS
    assert result["ratio"] > 0 and result["ratio_cpu"] > 0
