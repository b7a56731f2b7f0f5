"""A vocational record published on hub A and harvested by hub B keeps its stage and majors, by
the hub connector (changes feed) and by OAI-PMH in oai_dc and in LOM."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from hub.db.models import Resource
from hub.security.principal import SYSTEM
from tests.factories import make_org
from tests.integration.sync.test_two_hubs import hub_a_url, hub_b, publish, sync_b  # noqa: F401
from tests.resource_factories import PDF_BYTES, valid_record

SOURCES = {
    "hub": {"kind": "hub"},
    "oai_dc": {"kind": "oaipmh", "metadata_prefix": "oai_dc"},
    "lom": {"kind": "oaipmh", "metadata_prefix": "lom"},
}


@pytest.mark.parametrize("how", list(SOURCES))
def test_stage_and_majors_survive_a_harvest(hub, hub_a_url, hub_b, how):  # noqa: F811
    make_org(hub, code="nx-a")
    fields = dict(
        org="nx-a",
        title="光伏电站运行与维护",
        stage="voc-higher",
        majors=["43", "4303"],
        grades=[],
        subjects=[],
        edition=None,
        volume=None,
        themes=["new-energy"],
    )
    draft = hub.resources.create(SYSTEM, valid_record(**fields))
    hub.files.upload(
        SYSTEM, draft["id"], "课件.pdf", io.BytesIO(PDF_BYTES), content_length=len(PDF_BYTES)
    )
    publish(hub, draft["id"])
    url = hub_a_url + ("/oai" if how != "hub" else "")
    source = hub_b.sources.create(
        SYSTEM, {"name": f"a-{how}", "url": url, "allow_private_host": True, **SOURCES[how]}
    )

    run = sync_b(hub_b, source["id"])
    assert run["status"] == "succeeded", run
    with hub_b.uow() as uow:
        copy = uow.session.scalars(select(Resource).where(Resource.source_id.is_not(None))).one()
        assert (copy.stage, copy.majors, copy.grades, copy.subjects) == (
            "voc-higher",
            ["43", "4303"],
            [],
            [],
        )
        assert copy.themes == ["new-energy"] and "高职专科 新能源发电工程类" not in copy.keywords
