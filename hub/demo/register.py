"""The demo school register: Ningxia's 22 counties (real codes from the regions vocabulary) and
example schools in each, plus a generator of registers of any size for tests and benches.

Example schools are marked in their names (示例) and codes (`-demo-`); their national school codes
start with 99, which no real 学校标识码 does.
"""

from __future__ import annotations

from hub.services.orgs_files import write_csv
from hub.services.orgs_import import EXPORT_COLUMNS

PROVINCE = ("nx", "宁夏回族自治区教育厅", "province", "", "640000")
# City region -> the demo's city organisation (hub.demo.ORGS holds the same codes).
CITIES = {
    "640100": ("nx-yc", "银川市教育局"),
    "640200": ("nx-szs", "石嘴山市教育局"),
    "640300": ("nx-wz", "吴忠市教育局"),
    "640400": ("nx-gy", "固原市教育局"),
    "640500": ("nx-zw", "中卫市教育局"),
}
# Counties the demo already had, so the register updates them rather than adding a second one.
KNOWN_COUNTIES = {
    "640104": ("nx-yc-xq", "银川市兴庆区教育局"),
    "640106": ("nx-yc-jf", "银川市金凤区教育局"),
    "640105": ("nx-yc-xx", "银川市西夏区教育局"),
    "640202": ("nx-szs-dwk", "石嘴山市大武口区教育局"),
    "640302": ("nx-wz-lt", "吴忠市利通区教育局"),
    "640324": ("nx-wz-tx", "同心县教育局"),
    "640402": ("nx-gy-yz", "固原市原州区教育局"),
    "640422": ("nx-gy-xj", "西吉县教育局"),
    "640502": ("nx-zw-sp", "中卫市沙坡头区教育局"),
    "640521": ("nx-zw-zn", "中宁县教育局"),
    "640522": ("nx-zw-hy", "海原县教育局"),
}
SCHOOL_KINDS = (("小学", "primary"), ("初级中学", "junior"), ("中学", "junior senior"))


def counties(vocabularies) -> list:
    """The 22 county-level terms of the regions vocabulary, in its order."""
    return [t for t in vocabularies.get("regions") if t.get("level") == "county"]


def _org(code, name, kind, parent, region, **extra) -> dict:
    row = dict.fromkeys(EXPORT_COLUMNS, "")
    row.update(code=code, name=name, kind=kind, parent=parent, region=region, **extra)
    return row


def _tiers(vocabularies) -> list[dict]:
    """Province, cities and the 22 counties."""
    rows = [_org(*PROVINCE)]
    rows += [_org(code, name, "city", "nx", region) for region, (code, name) in CITIES.items()]
    for term in counties(vocabularies):
        code, name = KNOWN_COUNTIES.get(term.code, (f"nx-{term.code}", f"{term.zh}教育局"))
        rows.append(_org(code, name, "county", CITIES[term.get("parent")][0], term.code))
    return rows


def _school(county: dict, term, serial: int) -> dict:
    label, stages = SCHOOL_KINDS[serial % len(SCHOOL_KINDS)]
    rural = bool(term.get("rural"))
    return _org(
        f"{county['code']}-demo-{serial:03d}",
        f"{term.zh}示例第{serial}{label}（示例）",
        "school",
        county["code"],
        "",
        school_id=f"99{term.code}{serial:02d}" if serial < 100 else f"9{term.code}{serial:03d}",
        stages=stages,
        rural="1" if rural else "0",
        boarding="1" if rural and serial % 3 == 0 else "0",
        teaching_point="1" if rural and serial % 7 == 6 else "0",
    )


def register_rows(vocabularies, schools: int) -> list[dict]:
    """A register: the tiers, then `schools` example schools spread over the 22 counties."""
    tiers = _tiers(vocabularies)
    county_rows = [r for r in tiers if r["kind"] == "county"]
    terms = counties(vocabularies)
    rows = list(tiers)
    for n in range(schools):
        serial = n // len(terms) + 1
        rows.append(_school(county_rows[n % len(terms)], terms[n % len(terms)], serial))
    return rows


def register_csv(rows: list[dict]) -> bytes:
    return write_csv(EXPORT_COLUMNS, ([row[c] for c in EXPORT_COLUMNS] for row in rows))


def demo_register(vocabularies, per_county: int = 3) -> bytes:
    """The demo register seed-demo loads: every county, `per_county` example schools in each."""
    return register_csv(register_rows(vocabularies, 22 * per_county))
