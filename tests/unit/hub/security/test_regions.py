"""Region codes: the ancestors of a region are exactly the regions it lies within."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.security.regions import region_ancestors, region_within


@st.composite
def region_codes(draw) -> str:
    """Six-digit codes as GB/T 2260 writes them: a county only inside a city."""
    province = draw(st.integers(11, 65))
    city = draw(st.integers(0, 3))
    county = draw(st.integers(0, 3)) if city else 0
    return f"{province:02d}{city:02d}{county:02d}"


def test_ancestors_run_from_the_province_to_the_region_itself():
    assert region_ancestors("640302") == ["640000", "640300", "640302"]
    assert region_ancestors("640300") == ["640000", "640300"]
    assert region_ancestors("640000") == ["640000"]
    assert region_ancestors(None) == [] and region_ancestors("") == []
    assert region_ancestors("64-03") == ["64-03"]  # not a code: only itself


@given(inner=region_codes(), outer=region_codes())
def test_a_region_is_an_ancestor_exactly_when_the_other_lies_within_it(inner, outer):
    assert (outer in region_ancestors(inner)) == region_within(inner, outer)
