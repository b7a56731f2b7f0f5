"""CI runs every suite: TESTS, PYTEST_ARGS or PYTEST_ADDOPTS in the environment cannot shrink it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHRINK = {
    "TESTS": "tests/unit/hub",
    "PYTEST_ARGS": "-k nothing",
    "PYTEST_ADDOPTS": "-k nothing",
    "MAKEFLAGS": "TESTS=tests/unit",
}
STUB = """#!/bin/sh
echo "args=$*"
echo "TESTS=${TESTS-unset} PYTEST_ARGS=${PYTEST_ARGS-unset} PYTEST_ADDOPTS=${PYTEST_ADDOPTS-unset}"
echo "MAKEFLAGS=${MAKEFLAGS-unset} REQUIRE_ALL=${EDUHUB_TEST_REQUIRE_ALL-unset}"
"""


def test_ci_run_hands_make_nothing_that_selects_tests(tmp_path):
    """.ci/run with a stand-in `make` first on PATH, which prints what it was given."""
    (tmp_path / "make").write_text(STUB)
    (tmp_path / "make").chmod(0o755)
    env = {**os.environ, **SHRINK, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    seen = subprocess.run(
        [str(REPO / ".ci" / "run")], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "args=--no-print-directory test\n" in seen
    assert "TESTS=unset PYTEST_ARGS=unset PYTEST_ADDOPTS=unset" in seen
    assert "MAKEFLAGS=unset REQUIRE_ALL=1" in seen


def test_make_test_runs_every_suite_when_all_are_required():
    """Even on make's command line, TESTS and PYTEST_ARGS give way when CI requires every suite."""
    argv = ["make", "-n", "--no-print-directory", "test", "TESTS=tests/unit", "PYTEST_ARGS=-k x"]
    env = {**os.environ, "EDUHUB_TEST_REQUIRE_ALL": "1", "PYTEST_ADDOPTS": "-k nothing"}
    dry = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    pytest_line = next(line for line in dry.stdout.splitlines() if "-m pytest" in line)
    assert "-m pytest tests -p no:cacheprovider" in pytest_line
    assert "-k" not in pytest_line and "tests/unit" not in pytest_line


def test_make_test_still_takes_a_selection_on_a_developer_machine():
    argv = ["make", "-n", "--no-print-directory", "test", "TESTS=tests/unit"]
    env = {k: v for k, v in os.environ.items() if k != "EDUHUB_TEST_REQUIRE_ALL"}
    dry = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert "-m pytest tests/unit -p no:cacheprovider" in dry.stdout
