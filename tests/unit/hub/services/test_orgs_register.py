"""The school register's row parser and planner: any cells give an OrgRow or a RowError, and a
file's rows are checked against each other (duplicates, parents anywhere, cycles)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.services.orgs_register import (
    COLUMNS,
    OrgRow,
    Plan,
    RowError,
    parse_row,
    plan_import,
)
from metadata.vocabularies import load_vocabularies

VOCABULARIES = load_vocabularies()
STAGES, REGIONS = VOCABULARIES.get("stages"), VOCABULARIES.get("regions")
FIELDS = sorted(set(COLUMNS.values()))
cells = st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=30))


@given(cells)
def test_any_cells_parse_to_a_row_or_a_bilingual_row_error(values):
    try:
        row = parse_row(values, STAGES, REGIONS)
    except RowError as exc:
        assert "。" in str(exc) and any(c.isascii() and c.isalpha() for c in str(exc))
    else:
        assert row.code == values["code"] and row.name == values["name"]
        assert row.region is None or row.region in REGIONS


valid_rows = st.builds(
    lambda code, name, stages, region, flags, school_id: {
        "code": code,
        "name": name,
        "stages": "、".join(STAGES.term(s).zh for s in stages),
        "region": region,
        "school_id": school_id,
        **dict(zip(("rural", "boarding", "teaching_point"), flags, strict=True)),
    },
    st.from_regex(r"[a-z0-9][a-z0-9_.-]{1,20}", fullmatch=True),
    st.text(min_size=1, max_size=40).map(str.strip).filter(bool),
    st.lists(st.sampled_from(STAGES.codes), unique=True, max_size=3),
    st.sampled_from(["", *REGIONS.codes]),
    st.tuples(*[st.sampled_from(["是", "否", "1", "0", "", "yes", "No"])] * 3),
    st.from_regex(r"\d{10}", fullmatch=True) | st.just(""),
)


@given(valid_rows)
def test_valid_cells_in_chinese_words_parse_to_codes(values):
    row = parse_row(values, STAGES, REGIONS)
    assert set(row.stages.split()) <= set(STAGES.codes)
    assert row.rural == (values["rural"].lower() in ("是", "1", "yes"))
    assert row.school_id == (values["school_id"] or None)


def test_school_id_must_be_ten_digits():
    for bad in ("164000123", "16400012345", "16400O1234"):
        try:
            parse_row({"code": "s1", "name": "x", "school_id": bad}, STAGES, REGIONS)
        except RowError as exc:
            assert "10" in str(exc)
        else:
            raise AssertionError(f"{bad} accepted")


def _plan(rows, existing=None):
    parsed = [(line, row) for line, row in enumerate(rows, start=2)]
    return plan_import(parsed, existing or {}, Plan())


def test_parents_later_in_the_file_are_written_first():
    plan = _plan(
        [
            OrgRow("s1", "学校", "school", "c1"),
            OrgRow("c1", "县", "county", "p", "640104"),
            OrgRow("p", "省", "province", None, "640000"),
        ]
    )
    assert [row.code for _, row in plan.rows] == ["p", "c1", "s1"]
    assert plan.rows[2][1].region == "640104" and not plan.failed


def test_a_cycle_is_refused_on_every_row_in_it():
    plan = _plan([OrgRow("a", "A", "alliance", "b"), OrgRow("b", "B", "alliance", "a")])
    assert [(line, code) for line, code, _ in plan.failed] == [(2, "a"), (3, "b")]
    assert all("cycle" in reason for *_, reason in plan.failed)


def test_moving_an_existing_org_under_its_own_descendant_is_a_cycle():
    existing = {
        "a": OrgRow("a", "A", "alliance"),
        "b": OrgRow("b", "B", "alliance", "a"),
    }
    plan = _plan([OrgRow("a", "A", "alliance", "b")], existing)
    assert plan.failed and "cycle" in plan.failed[0][2]


def test_duplicate_codes_and_school_ids_name_the_first_line():
    plan = _plan(
        [
            OrgRow("s1", "一", school_id="1164000001"),
            OrgRow("s1", "二"),
            OrgRow("s2", "三", school_id="1164000001"),
        ]
    )
    reasons = {line: reason for line, _, reason in plan.failed}
    assert set(reasons) == {3, 4} and "line 2" in reasons[3] and "line 2" in reasons[4]


def test_unknown_parent_and_wrong_rank_fail():
    plan = _plan(
        [
            OrgRow("s1", "学校", "school", "nowhere"),
            OrgRow("s2", "学校", "school"),
            OrgRow("c1", "县", "county", "s2"),
        ]
    )
    assert [line for line, *_ in plan.failed] == [2, 4]


def test_a_row_equal_to_the_hub_is_unchanged_and_a_changed_one_updated():
    existing = {"p": OrgRow("p", "省", "province", None, "640000")}
    plan = _plan(
        [OrgRow("p", "省", "province", None, "640000"), OrgRow("q", "x", "province")], existing
    )
    assert plan.unchanged == [(2, "p")] and plan.created == [(3, "q")]
    plan = _plan([OrgRow("p", "省教育厅", "province", None, "640000")], existing)
    assert plan.updated == [(2, "p")]
