"""Harvested records are validated with each vocabulary combination checked once, to the same result as the schema."""
from __future__ import annotations

import pytest

from hub.errors import ValidationFailed
from tests.resource_factories import valid_record

RECORDS = [
    valid_record(title="  分数的意义  ", keywords=["分数", "分数"]),
    valid_record(title="力与运动", stage=None, subjects=["physics"], grades=["g8"]),
    {"title": "只有标题"},
]


@pytest.mark.parametrize("data", RECORDS)
def test_the_cached_validation_gives_what_the_schema_gives(hub, data):
    data = {k: v for k, v in data.items() if k != "org"}
    expected = hub.resources.validate(data)
    for _ in range(2):  # the second time the vocabulary part comes from the cache
        assert hub.resources.validate_harvested(dict(data)) == expected


@pytest.mark.parametrize("bad, field", [({"grades": ["g10"]}, "grades"), ({"title": ""}, "title"),
                                        ({"type": "no-such-type"}, "type")])
def test_invalid_records_are_refused_every_time_with_the_field(hub, bad, field):
    data = {**{k: v for k, v in valid_record().items() if k != "org"}, **bad}
    for _ in range(2):
        with pytest.raises(ValidationFailed) as err:
            hub.resources.validate_harvested(data)
        assert field in {e["field"] for e in err.value.errors}
