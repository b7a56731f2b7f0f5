"""What a source may claim of a harvested record's readers (hub.harvest.claims)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.base import Delete, Failed, Upsert
from hub.harvest.claims import checked, claim_problem
from hub.security.regions import region_within

REGIONS = st.sampled_from(["640000", "640100", "640104", "640300", "640302", "640381", None])


@given(visibility=st.sampled_from(["region", "org"]), region=REGIONS, source=REGIONS)
def test_a_non_public_record_must_lie_in_the_sources_region(visibility, region, source):
    problem = claim_problem({"visibility": visibility, "region": region}, source)
    if visibility == "region" and not source:
        assert "has no region" in problem
    elif region and source and not region_within(region, source):
        assert "outside the source's region" in problem
    else:
        assert problem is None


@given(region=REGIONS, source=REGIONS)
def test_a_public_record_may_name_any_region(region, source):
    assert claim_problem({"visibility": "public", "region": region}, source) is None
    assert claim_problem({"region": region}, source) is None


@given(value=st.text(max_size=60).filter(lambda v: v not in ("", "public", "region", "org")))
def test_an_unknown_visibility_is_refused_by_name(value):
    assert "is not one this hub knows" in claim_problem({"visibility": value}, "640302")


def test_a_refused_upsert_becomes_a_failure_that_keeps_its_cursor():
    item = Upsert("r1", {"title": "x", "visibility": "org", "region": "640104"}, [], "7")
    failed = checked(item, "640302")
    assert isinstance(failed, Failed) and failed.cursor_after == "7"
    assert failed.payload["record"]["region"] == "640104"
    assert checked(Delete("r2", "8"), "640302") == Delete("r2", "8")
