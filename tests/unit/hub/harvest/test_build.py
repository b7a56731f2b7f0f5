"""The harvest services built from the collaborators `build` names, without the hub locator."""

from __future__ import annotations

from hub.harvest import build
from hub.security.principal import SYSTEM
from tests.unit.hub.services.factories import make_orgs
from tests.unit.hub.services.test_sync import ScriptedConnector, upserts


def test_sources_and_syncs_work_from_the_collaborators_build_names(hub, tmp_path):
    make_orgs(hub)
    harvest = build(
        uow=hub.uow,
        resources=hub.resources,
        files=hub.files,
        data_dir=tmp_path,
        lock_runs=False,
        secret_key="built",
    )
    source = harvest.sources.create(
        SYSTEM,
        {"name": "built", "kind": "oaipmh", "url": "https://oai.example.cn/oai", "org": "xq"},
    )
    run = harvest.sync.start(SYSTEM, source["id"])
    done = harvest.sync.run(run["id"], connector=ScriptedConnector(upserts(1, 2, 3)))
    assert done["status"] == "succeeded"
    assert done["counts"]["created"] == 3
    assert harvest.sources.get(SYSTEM, source["id"])["last_run"]["id"] == run["id"]
