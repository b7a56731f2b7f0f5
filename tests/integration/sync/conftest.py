"""Fixtures for sync tests: the fake connector kind and a source made straight in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.db.models import Organisation
from hub.db.models.sources import Source
from tests.support import fake_source


@pytest.fixture(autouse=True)
def fake_kind():
    fake_source.install()


@pytest.fixture
def org(hub):
    from tests.factories import make_org

    return make_org(hub, code="nx-sync-org")


@pytest.fixture
def make_source(hub, org):
    def make(name="fake-src", items=(), kind=fake_source.KIND, **fields):
        options = dict(fields.pop("options", {}), items=list(items))
        with hub.uow() as uow:
            org_id = uow.session.scalar(
                select(Organisation.id).where(Organisation.code == org["code"])
            )
            source = Source(
                name=name,
                kind=kind,
                url="http://source.example",
                org_id=org_id,
                options=options,
                **fields,
            )
            uow.session.add(source)
            uow.commit()
            return source.id

    return make


def set_items(hub, source_id, items, **options):
    with hub.uow() as uow:
        source = uow.session.get(Source, source_id)
        source.options = {**source.options, **options, "items": list(items)}
        uow.commit()
