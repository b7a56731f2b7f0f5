"""While a rebuild builds documents the collector runs seldom; afterwards it is as it was."""

from __future__ import annotations

import gc

from hub.services import rebuild


def test_the_collector_is_put_back_as_it_was():
    gc.unfreeze()  # whatever an earlier test left frozen: this one starts from none
    before = gc.get_threshold()
    with rebuild.fewer_collections():
        assert gc.get_threshold()[0] == rebuild.GC_THRESHOLD
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_what_a_process_froze_itself_stays_frozen():
    gc.freeze()  # as `eduhub serve`'s master does before it forks
    try:
        frozen = gc.get_freeze_count()
        with rebuild.fewer_collections():
            pass
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
