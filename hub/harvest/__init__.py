"""Harvesting: sources, sync runs and the one rule that applies a harvested item.

apply.py     the rule (pure): status, provenance, origin link, revision, change row
orm.py       writes what it decided as ORM objects (batches with files, retries)
batch.py     writes what it decided page-at-a-time with Core (every other batch)
runs.py      run records: queue, claim, count, finish, release; run_to_dict
runner.py    a connector's items consumed in batches, the cursor saved per batch
retry.py     recorded failures fetched and applied again
liveness.py  worker ids and abandoned-run detection
files.py     a harvested record's files, fetched outside the transaction
sources.py   SourceService;  sync.py  SyncService
mirror*.py   school mirrors: a hub source's selection, night window, bandwidth cap and the
             filler that fetches its queued files with `Range` resume (MirrorService)
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import partial

from hub.harvest.files import FileFetcher
from hub.harvest.mirror import MirrorService
from hub.harvest.mirror_defer import DeferringFetcher, mirror_selection
from hub.harvest.mirror_fill import MirrorFiller, now
from hub.harvest.sources import SourceService
from hub.harvest.sync import SyncService
from hub.security.credentials import CredentialBox


@dataclass(frozen=True)
class Harvest:
    sources: SourceService
    sync: SyncService
    mirrors: MirrorService


def build(*, uow, resources, files, data_dir, lock_runs: bool, secret_key: str) -> Harvest:
    """The harvest services from their collaborators (for the composition root).

    `uow` makes units of work; `resources.attach_blob` and `files.store_harvested_file` store a
    record's files; `data_dir/tmp` holds downloads, `data_dir/mirror` a mirror's partial files;
    `lock_runs` is False only on SQLite; `secret_key` seals the tokens sources keep."""
    credentials = CredentialBox(secret_key)
    filler = MirrorFiller(
        uow=uow,
        files=files,
        staging=os.path.join(str(data_dir), "mirror"),
        clock=now,
        monotonic=time.monotonic,
        sleep=time.sleep,
        credentials=credentials,
    )
    mirrors = MirrorService(uow=uow, filler=filler, clock=now)
    return Harvest(
        sources=SourceService(uow=uow, credentials=credentials, mirror_status=mirrors.status),
        sync=SyncService(
            uow=uow,
            fetcher_for=fetcher_factory(uow, resources, files, data_dir),
            lock_runs=lock_runs,
            credentials=credentials,
            selection_for=partial(mirror_selection, uow),
        ),
        mirrors=mirrors,
    )


def fetcher_factory(uow, resources, files, data_dir):
    """`fetcher_for(state, http)`: one run's file fetcher, set for its source (a mirror's queues
    its files for the window instead of fetching them)."""
    tmp_root = os.path.join(str(data_dir), "tmp")

    def fetcher_for(state, http) -> FileFetcher:
        mirror = mirror_selection(uow, state.source_id) is not None
        kind = DeferringFetcher if mirror else FileFetcher
        fetcher = kind(uow=uow, resources=resources, files=files, tmp_root=tmp_root, http=http)
        fetcher.configure(state.fetch_files, state.max_bytes, state.source_id)
        return fetcher

    return fetcher_for
