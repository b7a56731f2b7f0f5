"""Majors: how vocational and higher-education records are described instead of by grades and
subjects (the `majors` vocabulary, levels by stage)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from metadata.messages import message
from metadata.vocabularies import Term, load_vocabularies

# The fields a stage described by majors does not use, with how the message names them.
SCHOOL_FIELDS = {"grades": ("年级", "grades"), "subjects": ("学科", "subjects")}


def uses_majors(stage_term: Term | None) -> bool:
    """True for the stages (中职, 高职专科, 职业本科, 本科) described by majors."""
    return bool(stage_term is not None and stage_term.get("majors"))


def major_stages() -> tuple[str, ...]:
    """The codes of the stages described by majors, in vocabulary order."""
    return tuple(t.code for t in load_vocabularies().get("stages") if uses_majors(t))


def qualified_label(vocabularies, code: str) -> str | None:
    """A major's label with its stage ("高职专科 农业类"): the same class name exists at several
    stages, and this form names exactly one (it is also the term's alias)."""
    term = vocabularies.get("majors").term(code)
    if term is None:
        return None
    return f"{vocabularies.get('stages').label(term.get('stage'))} {term.zh}"


def required_for_review(stage: str | None, fields: tuple[str, ...]) -> tuple[str, ...]:
    """The fields a record must have before review: majors stand in for subjects on the stages
    described by them."""
    if not uses_majors(load_vocabularies().get("stages").term(stage or "")):
        return fields
    return tuple("majors" if f == "subjects" else f for f in fields)


def stage_of(codes: Iterable[str]) -> str | None:
    """The one stage every known major in `codes` belongs to; None if none or several."""
    vocabulary = load_vocabularies().get("majors")
    stages = {vocabulary.term(c).get("stage") for c in codes if vocabulary.term(c) is not None}
    return stages.pop() if len(stages) == 1 else None


def with_parents(codes: Iterable[str]) -> list[str]:
    """The codes and the categories above them, each once (a class counts for its category)."""
    vocabulary = load_vocabularies().get("majors")
    out: list[str] = []
    for code in codes:
        term = vocabulary.term(code)
        while term is not None:
            if term.code not in out:
                out.append(term.code)
            term = vocabulary.term(term.get("parent") or "")
    return out


def vocational_errors(
    record: Mapping[str, Any], stage_term: Term, partial: bool
) -> dict[str, list[str]]:
    """A stage described by majors: no grades or subjects, and at least one major of its level."""
    stage = stage_term.code
    common = dict(stage=stage, stage_zh=stage_term.zh)
    errors: dict[str, list[str]] = {}
    for field, (what_zh, what_en) in SCHOOL_FIELDS.items():
        if record.get(field):
            errors[field] = [
                message(
                    "stage_uses_majors", field=field, what_zh=what_zh, what_en=what_en, **common
                )
            ]
    vocabulary = load_vocabularies().get("majors")
    stages = load_vocabularies().get("stages")
    codes = record.get("majors") or []
    for code in codes:
        term = vocabulary.term(code)
        if term is not None and term.get("stage") != stage:
            level = term.get("stage")
            errors.setdefault("majors", []).append(
                message(
                    "major_not_in_stage",
                    major=code,
                    major_zh=term.zh,
                    level=level,
                    level_zh=stages.label(level),
                    **common,
                )
            )
    if not codes and not (partial and "majors" not in record):
        errors["majors"] = [message("major_required", **common)]
    return errors


def unplaced_errors(record: Mapping[str, Any], partial: bool) -> dict[str, list[str]]:
    """No stage given and none to infer: majors of several stages cannot stand alone."""
    vocabulary = load_vocabularies().get("majors")
    stages = sorted(
        {
            vocabulary.term(c).get("stage")
            for c in record.get("majors") or []
            if vocabulary.term(c) is not None
        }
    )
    if len(stages) > 1 and not partial:
        return {"majors": [message("majors_mixed", stages=", ".join(stages))]}
    return {}
