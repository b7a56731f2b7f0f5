"""The first origin a peer's record carries is typed and bounded; chains compose level by level."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from metadata import provenance

ORIGIN = {"kind": "national", "hub": "https://s-file-1.ykt.cbern.com.cn", "id": "abc"}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


def level(upstream: dict, *, hub: str, external_id: str) -> dict:
    """What a hub's feed says of a record it harvested from `hub` (first path only)."""
    stamped = provenance.stamp(
        {"provenance": provenance.carried(upstream)}, kind="hub", url=hub, external_id=external_id
    )["provenance"]
    path = {"hub": hub, "via": stamped.get("via", [])}
    return {"origin": stamped["origin"], "paths": [path]}


def test_a_chain_of_three_hubs_keeps_the_first_origin_and_every_hub_between():
    county = {"origin": ORIGIN, "paths": [{"hub": ORIGIN["hub"], "via": []}]}
    city = level(county, hub="https://county.example", external_id="c-1")
    province = level(city, hub="https://city.example", external_id="y-1")
    assert province["origin"] == ORIGIN
    assert province["paths"][0]["via"] == [ORIGIN["hub"], "https://county.example"]


def test_a_record_without_an_origin_has_its_source_as_origin():
    stamped = provenance.stamp({}, kind="hub", url="https://county.example", external_id="c-1")
    assert stamped["provenance"]["origin"] == {
        "kind": "hub",
        "hub": "https://county.example",
        "id": "c-1",
    }
    assert provenance.origin_key(stamped["provenance"]) == "hub:c-1"


def test_hostile_origins_are_refused():
    for bad in (
        {"kind": "National", "id": "x"},
        {"kind": "national", "id": ""},
        {"kind": "national", "id": "a\nb"},
        {"kind": "national", "id": "x" * 501},
        {"kind": ["national"], "id": "x"},
        "national:x",
    ):
        assert provenance.clean_origin(bad) is None
    assert provenance.clean_url("javascript:alert(1)") is None


@given(JSON)
def test_whatever_a_peer_sends_carried_is_typed_and_bounded(value):
    carried = provenance.carried({"origin": value, "paths": [{"via": value, "hub": value}]})
    assert set(carried) <= {"origin", "via"}
    if carried:
        assert set(carried["origin"]) == {"kind", "hub", "id"}
        assert all(isinstance(h, str) for h in carried["via"])
        assert len(carried["via"]) <= provenance.MAX_VIA
