"""Who may read, edit and review a resource, through `can_read`, `can_edit` and `can_review` only.

An oracle states the rules the way a teacher would (on an organisation tree and nested regions) and
hypothesis checks the service's functions against it for any caller and any record.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.db.models import Organisation, Resource
from hub.security.principal import ANONYMOUS, Principal, Role
from hub.security.regions import region_ancestors
from hub.services.permissions import can_edit, can_read, can_review

# code: (id, parent, region). 宁夏 > 银川 > 兴庆区 > two schools; 原州区; an alliance, no region.
ORGS = {
    "nx": (1, None, "640000"),
    "yc": (2, "nx", "640100"),
    "xq": (3, "yc", "640104"),
    "xq-1": (4, "xq", "640104"),
    "xq-2": (5, "xq", "640104"),
    "gy": (6, "nx", "640402"),
    "alliance": (7, None, None),
}
ROLES = ("teacher", "contributor", "reviewer", "org_admin")
STATUSES = ("draft", "submitted", "rejected", "published", "withdrawn")
REGIONS = (None, "640000", "640100", "640104", "640105", "640402")


def path(code: str) -> str:
    org_id, parent, _ = ORGS[code]
    return (path(parent) if parent else "/") + f"{org_id}/"


def chain(code: str) -> list[str]:
    """The organisation and every one above it."""
    return [code] + (chain(ORGS[code][1]) if ORGS[code][1] else [])


def role(code: str, name: str) -> Role:
    return Role(org_id=ORGS[code][0], org_path=path(code), region=ORGS[code][2], role=name)


def resource(code="xq-1", status="published", visibility="public", region=None, owner=None):
    org_id, _, org_region = ORGS[code]
    res = Resource(status=status, visibility=visibility, org_id=org_id, owner_id=owner)
    res.region = org_region if region == "org" else region
    res.org = Organisation(id=org_id, code=code, path=path(code), region=org_region)
    return res


def person(*roles: tuple[str, str], user_id=10, admin=False) -> Principal:
    return Principal(user_id=user_id, is_admin=admin, roles=tuple(role(c, r) for c, r in roles))


resources = st.builds(
    resource,
    code=st.sampled_from(list(ORGS)),
    status=st.sampled_from(STATUSES),
    visibility=st.sampled_from(("public", "region", "org")),
    region=st.sampled_from(REGIONS + ("org",)),
    owner=st.sampled_from((None, 10, 11)),
)
callers = st.one_of(
    st.just(ANONYMOUS),
    st.builds(
        lambda roles, admin: person(*roles, admin=admin),
        st.lists(st.tuples(st.sampled_from(list(ORGS)), st.sampled_from(ROLES)), max_size=3),
        st.booleans(),
    ),
)


# -- the oracle ----------------------------------------------------------------------------------


def holds(actor: Principal, res: Resource, *names: str) -> bool:
    """A role among `names` in the record's organisation or in one above it."""
    above = {ORGS[c][0] for c in chain(res.org.code)}
    return any(r.org_id in above and (not names or r.role in names) for r in actor.roles)


def nested(a: str, b: str) -> bool:
    return a in region_ancestors(b) or b in region_ancestors(a)


def oracle_edit(actor, res) -> bool:
    if actor.is_admin:
        return True
    if not actor.is_authenticated:
        return False
    return res.owner_id == actor.user_id or holds(actor, res, "contributor", "org_admin")


def oracle_review(actor, res) -> bool:
    return actor.is_admin or (actor.is_authenticated and holds(actor, res, "reviewer", "org_admin"))


def oracle_sees_published(actor, res) -> bool:
    if actor.is_admin or res.visibility == "public":
        return True
    if not actor.is_authenticated:
        return False
    if holds(actor, res):
        return True  # members of the organisation or above see its org- and region-only records
    if res.visibility == "org":
        return False
    if res.region is None:
        return False  # region-visible without a region: members only (issue 9)
    return any(r.region and nested(r.region, res.region) for r in actor.roles)


def oracle_read(actor, res) -> bool:
    if res.status == "published":
        return oracle_sees_published(actor, res)
    if res.status == "withdrawn":
        return oracle_sees_published(actor, res) or oracle_edit(actor, res)
    return oracle_edit(actor, res) or oracle_review(actor, res)


@given(callers, resources)
def test_the_rules_agree_with_the_oracle_for_any_caller_and_record(actor, res):
    assert can_edit(actor, res) == oracle_edit(actor, res)
    assert can_review(actor, res) == oracle_review(actor, res)
    assert can_read(actor, res) == oracle_read(actor, res)


@given(callers, resources)
def test_whoever_may_review_or_edit_an_unpublished_record_may_read_it(actor, res):
    if res.status not in ("published", "withdrawn") and (
        can_edit(actor, res) or can_review(actor, res)
    ):
        assert can_read(actor, res)


@given(resources)
def test_anonymous_callers_read_public_published_records_and_nothing_else(res):
    expected = res.status in ("published", "withdrawn") and res.visibility == "public"
    assert can_read(ANONYMOUS, res) == expected
    assert not can_edit(ANONYMOUS, res) and not can_review(ANONYMOUS, res)


# -- the rules a teacher would name, one by one ----------------------------------------------------


def test_an_org_only_record_is_read_by_its_school_and_those_above_it_only():
    record = resource("xq-1", visibility="org", region="org")
    assert can_read(person(("xq-1", "teacher")), record)
    assert can_read(person(("yc", "teacher")), record)
    assert not can_read(person(("xq-2", "teacher")), record)
    assert not can_read(person(("gy", "org_admin")), record)


def test_a_region_only_record_reaches_the_regions_above_and_below_it():
    record = resource("gy", visibility="region", region="640100")
    assert can_read(person(("xq-1", "teacher")), record)  # 兴庆区 lies in 银川
    assert can_read(person(("nx", "teacher")), record)  # the province contains 银川
    assert not can_read(
        person(("gy", "teacher")), resource("xq", visibility="region", region="640105")
    )
    assert not can_read(person(("alliance", "teacher")), record)


def test_drafts_are_for_their_owner_editors_and_reviewers_not_for_teachers():
    record = resource("xq-1", status="draft", owner=11)
    assert can_read(person(user_id=11), record) and can_edit(person(user_id=11), record)
    assert can_edit(person(("xq", "contributor")), record)
    assert can_review(person(("xq", "reviewer")), record) and not can_edit(
        person(("xq", "reviewer")), record
    )
    assert not can_read(person(("xq-1", "teacher")), record)
    assert not can_review(person(("xq-1", "contributor")), record)


def test_a_withdrawn_record_stays_readable_to_its_editors_whatever_its_visibility():
    record = resource("xq-1", status="withdrawn", visibility="org", owner=11)
    assert can_read(person(user_id=11), record)
    assert not can_read(person(("xq-2", "teacher")), record)


def test_administrators_may_do_everything():
    admin = person(admin=True, user_id=None)
    for status in STATUSES:
        record = resource("alliance", status=status, visibility="org")
        assert can_read(admin, record) and can_edit(admin, record) and can_review(admin, record)
