"""Visibility in oai_dc and LOM: written for records that are not public, read back by a hub."""

from __future__ import annotations

import pytest
from lxml import etree

from metadata.crosswalks import lom, oai_dc

RECORD = {"id": "r1", "title": "利通区教研课件", "region": "640302", "language": "zh"}


@pytest.mark.parametrize(
    "crosswalk", [(oai_dc.to_oai_dc, oai_dc.from_oai_dc), (lom.to_lom, lom.from_lom)]
)
@pytest.mark.parametrize("visibility", ["region", "org"])
def test_a_non_public_visibility_travels_and_comes_back(crosswalk, visibility):
    write, read = crosswalk
    back = read(write({**RECORD, "visibility": visibility}))
    assert (back["visibility"], back["region"]) == (visibility, "640302")


@pytest.mark.parametrize(
    "crosswalk", [(oai_dc.to_oai_dc, oai_dc.from_oai_dc), (lom.to_lom, lom.from_lom)]
)
def test_a_public_record_is_written_as_before(crosswalk):
    write, read = crosswalk
    element = write({**RECORD, "visibility": "public"})
    assert etree.tostring(element) == etree.tostring(write(RECORD))
    assert b"visibility" not in etree.tostring(element) and "visibility" not in read(element)


def test_a_foreign_value_is_read_as_it_is_for_the_hub_to_refuse():
    element = oai_dc.to_oai_dc({**RECORD, "visibility": "secret"})
    assert oai_dc.from_oai_dc(element)["visibility"] == "secret"
