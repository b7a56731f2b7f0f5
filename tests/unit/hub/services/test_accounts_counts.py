"""The dashboard's counts and the upload form's organisations come from AccountService queries."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from hub.errors import Forbidden
from tests.unit.hub.services.factories import ORGS, make_orgs, make_person


@pytest.fixture
def orgs(hub):
    return make_orgs(hub)


def test_counts_are_single_count_queries(hub, orgs):
    admin = make_person(hub, orgs, admin=True)
    make_person(hub, orgs, ("xq-1", "contributor"))
    statements: list[str] = []
    event.listen(hub.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert hub.accounts.count_users(admin) == 2
    assert hub.accounts.count_orgs() == len(ORGS)
    assert len(statements) == 2
    assert all("count(" in s.lower() for s in statements)


def test_only_admins_may_count_users(hub, orgs):
    member = make_person(hub, orgs, ("xq-1", "contributor"))
    with pytest.raises(Forbidden):
        hub.accounts.count_users(member)


def test_editor_orgs_are_the_organisations_the_caller_may_add_to(hub, orgs):
    person = make_person(hub, orgs, ("xq-1", "contributor"), ("yz", "reviewer"))
    assert hub.accounts.editor_orgs(person) == [("xq-1", "机构 xq-1")]
