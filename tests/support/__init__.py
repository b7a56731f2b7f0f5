"""Test support: real backing services started on spare loopback ports, and factories."""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL = os.environ.get("EDUHUB_TEST_REQUIRE_ALL") == "1"


def need(what: str, why: str):
    """Skip for a missing service on a developer machine; fail in CI, where every suite is
    required."""
    message = f"{what} is not available: {why}"
    if REQUIRE_ALL:
        pytest.fail(message + " (EDUHUB_TEST_REQUIRE_ALL=1: every suite must run)", pytrace=False)
    pytest.skip(message)
