"""The school register's rules: one row parsed and checked, then a whole file planned against the
hub's organisations (duplicates, parents anywhere in the file, cycles), before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from hub.db.models.accounts import ORG_KINDS
from hub.services.orgs import CODE_RE, RANK

SCHOOL_ID_RE = re.compile(r"\d{10}")
FLAGS = ("rural", "boarding", "teaching_point")
# Accepted header names (compared in lower case, spaces as '_') and the column each means.
COLUMNS = {
    **dict.fromkeys(("code", "org_code", "代码", "机构代码"), "code"),
    **dict.fromkeys(("school_id", "national_id", "学校标识码", "标识码"), "school_id"),
    **dict.fromkeys(("name", "名称", "机构名称", "学校名称"), "name"),
    **dict.fromkeys(("kind", "type", "类型", "机构类型"), "kind"),
    **dict.fromkeys(("parent", "parent_code", "上级", "上级代码", "上级机构代码"), "parent"),
    **dict.fromkeys(("region", "region_code", "行政区划", "行政区划代码", "区划代码"), "region"),
    **dict.fromkeys(("stages", "学段", "办学学段"), "stages"),
    **dict.fromkeys(("rural", "农村", "农村学校"), "rural"),
    **dict.fromkeys(("boarding", "寄宿", "寄宿制"), "boarding"),
    **dict.fromkeys(("teaching_point", "教学点"), "teaching_point"),
}
KIND_WORDS = {
    "学校": "school",
    "区县": "county",
    "县": "county",
    "市": "city",
    "地市": "city",
    "省": "province",
    "联盟": "alliance",
}
TRUE_WORDS = {"1", "y", "yes", "true", "是", "√", "✓", "x"}
FALSE_WORDS = {"", "0", "n", "no", "false", "否"}
STAGE_SEPARATORS = re.compile(r"[\s,;，；、/|]+")


class RowError(ValueError):
    """A row that cannot be imported; the message says why, in both languages."""


@dataclass(frozen=True)
class OrgRow:
    code: str
    name: str
    kind: str = "school"
    parent: str | None = None
    region: str | None = None
    school_id: str | None = None
    stages: str = ""  # stage codes in the vocabulary's order, space-separated
    rural: bool = False
    boarding: bool = False
    teaching_point: bool = False


def parse_row(values: dict[str, str], stages, regions) -> OrgRow:
    """One row's cells (canonical column names) as an OrgRow, or RowError saying what to fix."""
    code = values.get("code", "")
    if not CODE_RE.fullmatch(code):
        raise RowError(
            f"机构代码 '{code}' 无效：须为 2-64 个英文字母、数字或 _ . -。"
            f"The code '{code}' is not valid: use 2-64 ASCII letters, digits, '_', '.' or '-'."
        )
    name = values.get("name", "")
    if not name or len(name) > 200:
        raise RowError("请填写名称（不超过 200 字）。Give a name of at most 200 characters.")
    return OrgRow(
        code=code,
        name=name,
        kind=_kind(values.get("kind", "")),
        parent=_parent(values.get("parent", ""), code),
        region=_region(values.get("region", ""), regions),
        school_id=_school_id(values.get("school_id", "")),
        stages=_stages(values.get("stages", ""), stages),
        **{flag: _flag(flag, values.get(flag, "")) for flag in FLAGS},
    )


def _kind(text: str) -> str:
    kind = KIND_WORDS.get(text, text.lower() or "school")
    if kind not in ORG_KINDS:
        raise RowError(
            f"类型 '{text}' 无效，须为 {', '.join(ORG_KINDS)} 之一。"
            f"The kind '{text}' is not one of: {', '.join(ORG_KINDS)}."
        )
    return kind


def _parent(text: str, code: str) -> str | None:
    if text and not CODE_RE.fullmatch(text):
        raise RowError(f"上级代码 '{text}' 无效。The parent code '{text}' is not a valid code.")
    if text == code:
        raise RowError("机构不能是自己的上级。An organisation cannot be its own parent.")
    return text or None


def _region(text: str, regions) -> str | None:
    if not text:
        return None
    code = text if text in regions else regions.lookup_label(text)
    if code is None:
        raise RowError(
            f"未知的行政区划 '{text}'，请用 GET /api/v1/vocabularies/regions 查看代码。"
            f"Unknown region '{text}': see GET /api/v1/vocabularies/regions for the codes."
        )
    return code


def _school_id(text: str) -> str | None:
    if text and not SCHOOL_ID_RE.fullmatch(text):
        raise RowError(
            f"学校标识码 '{text}' 须为 10 位数字。"
            f"The national school identification code '{text}' must be 10 digits."
        )
    return text or None


def _stages(text: str, stages) -> str:
    codes = set()
    for word in filter(None, STAGE_SEPARATORS.split(text)):
        code = word if word in stages else stages.lookup_label(word)
        if code is None:
            raise RowError(
                f"未知的学段 '{word}'，请用 GET /api/v1/vocabularies/stages 查看。"
                f"Unknown stage '{word}': see GET /api/v1/vocabularies/stages."
            )
        codes.add(code)
    return " ".join(sorted(codes, key=stages.index_of))


def _flag(name: str, text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise RowError(
        f"'{name}' 列的值 '{text}' 须为 是/否（或 1/0）。"
        f"The column '{name}' takes yes/no (or 1/0), not '{text}'."
    )


@dataclass
class Plan:
    """What a file would do; `rows` are in the order to write them (parents first)."""

    rows: list[tuple[int, OrgRow]] = field(default_factory=list)
    created: list[tuple[int, str]] = field(default_factory=list)
    updated: list[tuple[int, str]] = field(default_factory=list)
    unchanged: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, reason)

    def fail(self, line: int, code: str, reason: str) -> None:
        self.failed.append((line, code, reason))


def plan_import(parsed: list[tuple[int, OrgRow]], existing: dict[str, OrgRow], plan: Plan) -> Plan:
    """Check the rows against each other and the hub's organisations (`existing`, by code)."""
    rows = _unique(parsed, existing, plan)
    merged = {**existing, **{row.code: row for _, row in rows}}
    depth = {}
    for line, row in rows:
        reason = _parent_problem(row, merged) or _cycle(row.code, merged)
        if reason:
            plan.fail(line, row.code, reason)
        else:
            depth[row.code] = _depth(row.code, merged)
    ordered = sorted(((ln, r) for ln, r in rows if r.code in depth), key=lambda x: depth[x[1].code])
    resolved: dict[str, OrgRow] = dict(existing)
    for line, row in ordered:
        row = _with_region(row, resolved)
        resolved[row.code] = row
        plan.rows.append((line, row))
        _classify(line, row, existing.get(row.code), plan)
    return plan


def _unique(parsed, existing, plan: Plan) -> list[tuple[int, OrgRow]]:
    """Rows whose code and school id no earlier row (or other organisation) already holds."""
    first_line: dict[str, int] = {}
    id_owner = {r.school_id: r.code for r in existing.values() if r.school_id}
    id_line: dict[str, int] = {}
    kept = []
    for line, row in parsed:
        if row.code in first_line:
            plan.fail(line, row.code, _twice("机构代码", "code", row.code, first_line[row.code]))
            continue
        first_line[row.code] = line
        if row.school_id in id_line:
            plan.fail(
                line,
                row.code,
                _twice("学校标识码", "school id", row.school_id, id_line[row.school_id]),
            )
            continue
        kept.append((line, row))
        if row.school_id:
            id_line[row.school_id] = line
    moved = {row.code for _, row in kept}
    for line, row in list(kept):
        owner = id_owner.get(row.school_id)
        if owner and owner != row.code and owner not in moved:
            plan.fail(line, row.code, _id_taken(row.school_id, owner))
            kept.remove((line, row))
    return kept


def _twice(zh: str, en: str, value: str, line: int) -> str:
    return (
        f"{zh} '{value}' 与第 {line} 行重复，请删去一行。"
        f"The {en} '{value}' is also on line {line}: keep one of the rows."
    )


def _id_taken(school_id: str, owner: str) -> str:
    return (
        f"学校标识码 {school_id} 已属于机构 '{owner}'。"
        f"The national school code {school_id} already belongs to '{owner}'."
    )


def _parent_problem(row: OrgRow, merged: dict[str, OrgRow]) -> str | None:
    if row.parent is None:
        return None
    parent = merged.get(row.parent)
    if parent is None:
        return (
            f"上级机构 '{row.parent}' 既不在文件中也不在本平台，请先添加它。"
            f"The parent '{row.parent}' is neither in the file nor on the hub: add it first."
        )
    if row.kind == "alliance":
        return None
    allowed = (
        row.kind in ("school", "alliance")
        if parent.kind == "alliance"
        else RANK[parent.kind] > RANK[row.kind]
    )
    if allowed:
        return None
    return (
        f"类型为 {row.kind} 的机构不能隶属于类型为 {parent.kind} 的 '{parent.code}'。"
        f"An organisation of kind '{row.kind}' cannot sit under '{parent.code}' "
        f"(kind '{parent.kind}')."
    )


def _cycle(code: str, merged: dict[str, OrgRow]) -> str | None:
    seen = [code]
    parent = merged[code].parent
    while parent is not None:
        if parent in seen:
            chain = " → ".join([*seen, parent])
            return f"上级关系形成循环：{chain}。The parents form a cycle: {chain}."
        seen.append(parent)
        parent = merged[parent].parent if parent in merged else None
    return None


def _depth(code: str, merged: dict[str, OrgRow]) -> int:
    depth, parent = 0, merged[code].parent
    while parent is not None and parent in merged:
        depth, parent = depth + 1, merged[parent].parent
    return depth


def _with_region(row: OrgRow, resolved: dict[str, OrgRow]) -> OrgRow:
    """A row without a region takes its parent's, as `orgs create` does."""
    if row.region is not None or row.parent is None:
        return row
    return replace(row, region=resolved[row.parent].region)


def _classify(line: int, row: OrgRow, before: OrgRow | None, plan: Plan) -> None:
    if before is None:
        plan.created.append((line, row.code))
    elif before == row:
        plan.unchanged.append((line, row.code))
    else:
        plan.updated.append((line, row.code))
