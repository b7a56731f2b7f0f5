"""How many processes a rebuild starts when the administrator does not say."""

from __future__ import annotations

import pytest

from hub.services import rebuild


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 1), (4, 3), (16, 15)])
def test_the_default_leaves_a_core_to_the_process_that_adds_to_the_index(
    monkeypatch, cores, workers
):
    monkeypatch.setattr(rebuild.os, "sched_getaffinity", lambda pid: set(range(cores)))
    assert rebuild.default_workers() == workers
