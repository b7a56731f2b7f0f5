"""Test data for service unit tests, written straight to the database: no password hashing, no HTTP.

The world: province 宁夏 (nx) > county 兴庆区 (xq) > schools xq-1 and xq-2, and county 原州区 (yz).
People are Principals exactly as the accounts service builds them (a role per organisation).
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

from hub.db.models import Membership, Organisation, User
from hub.security.principal import Principal, Role
from tests.resource_factories import PDF_BYTES, valid_record

ORGS = (  # code, parent, region
    ("nx", None, "640000"),
    ("xq", "nx", "640104"),
    ("xq-1", "xq", "640104"),
    ("xq-2", "xq", "640104"),
    ("yz", "nx", "640402"),
)
_numbers = itertools.count(1)


def make_orgs(hub, orgs=ORGS) -> dict[str, Organisation]:
    """Organisations with their materialised paths, by code."""
    made: dict[str, Organisation] = {}
    with hub.db.session() as session:
        for code, parent, region in orgs:
            org = Organisation(code=code, name=f"机构 {code}", kind="school", region=region)
            org.parent_id = made[parent].id if parent else None
            session.add(org)
            session.flush()
            org.path = (made[parent].path if parent else "/") + f"{org.id}/"
            made[code] = org
        session.commit()
    return made


def make_person(hub, orgs: dict, *roles: tuple[str, str], admin: bool = False) -> Principal:
    """A user holding each (org code, role); returns the Principal its requests would run as."""
    n = next(_numbers)
    with hub.db.session() as session:
        user = User(email=f"p{n}@example.cn", name=f"用户{n}", password_hash="-", is_admin=admin)
        session.add(user)
        session.flush()
        for code, role in roles:
            session.add(Membership(user_id=user.id, org_id=orgs[code].id, role=role))
        session.commit()
        user_id, email = user.id, user.email
    return Principal(
        user_id=user_id,
        email=email,
        is_admin=admin,
        roles=tuple(
            Role(org_id=orgs[c].id, org_path=orgs[c].path, region=orgs[c].region, role=r)
            for c, r in roles
        ),
    )


@dataclass
class World:
    orgs: dict
    contributor: Principal  # contributor at school xq-1
    reviewer: Principal  # reviewer at school xq-1
    teacher: Principal  # teacher at school xq-1
    county_reviewer: Principal  # reviewer at county xq, above both schools
    sibling_reviewer: Principal  # reviewer at school xq-2
    outsider_reviewer: Principal  # reviewer at county yz
    admin: Principal


def make_world(hub) -> World:
    orgs = make_orgs(hub)
    return World(
        orgs=orgs,
        contributor=make_person(hub, orgs, ("xq-1", "contributor")),
        reviewer=make_person(hub, orgs, ("xq-1", "reviewer")),
        teacher=make_person(hub, orgs, ("xq-1", "teacher")),
        county_reviewer=make_person(hub, orgs, ("xq", "reviewer")),
        sibling_reviewer=make_person(hub, orgs, ("xq-2", "reviewer")),
        outsider_reviewer=make_person(hub, orgs, ("yz", "reviewer")),
        admin=make_person(hub, orgs, admin=True),
    )


def draft(hub, owner: Principal, *, with_file: bool = True, **fields) -> dict:
    """A draft made through the resource service, with one PDF in (memory) storage."""
    record = hub.resources.create(owner, valid_record(**fields))
    if with_file:
        attach(hub, owner, record["id"])
    return record


def attach(hub, owner: Principal, resource_id: str, name: str = "课件.pdf", body=PDF_BYTES):
    return hub.files.upload(owner, resource_id, name, io.BytesIO(body), content_length=len(body))


def submitted(hub, world: World, **fields) -> dict:
    record = draft(hub, world.contributor, **fields)
    return hub.resources.act(world.contributor, record["id"], "submit")


def published(hub, world: World, **fields) -> dict:
    record = submitted(hub, world, **fields)
    return hub.resources.act(world.reviewer, record["id"], "publish", comment="好")
