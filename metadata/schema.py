"""The canonical resource record: what clients may send (`ResourceInputSchema`) and what the hub
answers."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, RAISE, ValidationError, fields, post_load, validates_schema

from metadata import majors
from metadata.fields import (
    BilingualSchema,
    Code,
    CodeList,
    Creator,
    DateTime,
    Integer,
    List,
    Nested,
    Text,
    UniqueList,
    dedupe,
)
from metadata.messages import message
from metadata.vocabularies import load_vocabularies

__all__ = [
    "DescriptiveSchema",
    "ResourceInputSchema",
    "ResourcePatchSchema",
    "ResourceRecordSchema",
    "FileSchema",
    "consistency_errors",
    "infer_stage",
    "normalise_record",
    "INPUT_FIELDS",
]

# Fields a client (or an importer, or a connector) may set; everything else the hub owns.
EDITABLE_FIELDS = (
    "title",
    "description",
    "language",
    "stage",
    "subjects",
    "grades",
    "majors",
    "edition",
    "volume",
    "chapter",
    "type",
    "themes",
    "keywords",
    "license",
    "creators",
    "region",
    "visibility",
)


class DescriptiveSchema(BilingualSchema):
    """The fields a person describes a resource with; shared by input and the full record."""

    title = Text(
        required=True,
        max_length=500,
        blank_message=message("title_blank"),
        metadata={"example": "认识百分数"},
    )
    description = Text(max_length=20000, single_line=False, allow_blank=True)
    language = Code("languages", load_default="zh")
    stage = Code("stages", allow_none=True)
    subjects = CodeList("subjects", max_items=10)
    grades = CodeList("grades", max_items=12, ordered=True)
    majors = CodeList(
        "majors",
        max_items=10,
        ordered=True,
        metadata={"description": "Majors (专业大类/专业类 codes) of a vocational or higher stage."},
    )
    edition = Code("editions", allow_none=True)
    volume = Code("volumes", allow_none=True)
    chapter = Text(max_length=500, allow_none=True, metadata={"example": "第二单元 百分数（一）"})
    type = Code("types", allow_none=True)
    themes = CodeList("themes", max_items=13)
    keywords = UniqueList(Text(max_length=50), max_items=30)
    license = Code("licenses", allow_none=True)
    creators = UniqueList(Creator(), max_items=50)
    region = Code("regions", allow_none=True)
    visibility = Code("visibility", load_default="public")
    org = Text(
        max_length=64,
        metadata={"description": "Organisation code; defaults to the caller's only one."},
    )

    @validates_schema
    def _check_consistency(self, data: dict, partial=None, **kwargs) -> None:
        errors = consistency_errors(data, partial=bool(partial))
        if errors:
            raise ValidationError(errors)

    @post_load
    def _fill_stage(self, data: dict, partial=None, **kwargs) -> dict:
        # A whole record may leave the stage to its grades; a PATCH changes only what it names.
        if not partial and not data.get("stage"):
            stage = infer_stage(data.get("grades") or [], data.get("majors") or [])
            if stage:
                data["stage"] = stage
        return data


class ResourceInputSchema(DescriptiveSchema):
    """POST /api/v1/resources: a draft's metadata. Unknown fields are refused (422)."""

    class Meta:
        unknown = RAISE


class ResourcePatchSchema(ResourceInputSchema):
    """PATCH /api/v1/resources/{id}: any subset of the input fields; null clears an optional one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


INPUT_FIELDS = tuple(ResourceInputSchema._declared_fields)


class FileSchema(BilingualSchema):
    """One file of a resource."""

    class Meta:
        unknown = EXCLUDE

    name = Text(required=True, max_length=255)
    size = Integer(required=True, metadata={"minimum": 0})
    sha256 = Text(required=True, max_length=64, metadata={"pattern": "^[0-9a-f]{64}$"})
    mimetype = Text(max_length=200, load_default="application/octet-stream")


class ResourceRecordSchema(DescriptiveSchema):
    """The full canonical record (API answers, changes feed, `eduhub import`). Loading ignores
    unknown fields so that records from a newer hub still load."""

    class Meta:
        unknown = EXCLUDE

    id = Text(max_length=36)
    version = Integer(load_default=1)
    status = Code("status", load_default="draft")
    source = Text(
        max_length=200,
        allow_none=True,
        metadata={"description": "Source name, for harvested records"},
    )
    external_id = Text(max_length=500, allow_none=True)
    origin_url = Text(max_length=2000, allow_none=True)
    files = List(Nested(FileSchema), load_default=list)
    created = DateTime(allow_none=True)
    updated = DateTime(allow_none=True)
    published = DateTime(allow_none=True)
    links = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        dump_only=True,
        metadata={"example": {"self": "/api/v1/resources/ID", "html": "/r/ID"}},
    )
    provenance = fields.Dict(
        dump_only=True,
        metadata={
            "description": "What the source said of a harvested record, its first origin "
            "(`origin`: kind, hub, id) and every path that brings it (`paths`: source, kind, hub, "
            "external_id, url, via)",
        },
    )
    work_id = Text(
        max_length=36,
        dump_only=True,
        metadata={"description": "The work this record is a copy of (its lead record's id)"},
    )
    also_from = fields.List(
        fields.Dict(),
        dump_only=True,
        metadata={"description": "Other public copies of the same work: id, title, org, source"},
    )


def consistency_errors(record: Mapping[str, Any], partial: bool = False) -> dict[str, list[str]]:
    """Cross-field rules: grades in the stage, subjects taught in it, senior-only volumes, majors
    instead of grades and subjects for vocational and higher stages. Services call this on the
    merged record after a PATCH, which the schema alone cannot see; `partial` (a PATCH body) skips
    the rules about fields the body may leave out."""
    vocabularies = load_vocabularies()
    stage = record.get("stage") or majors.stage_of(record.get("majors") or [])
    stage_term = vocabularies.get("stages").term(stage) if stage else None
    if stage_term is None:
        return majors.unplaced_errors(record, partial)
    if majors.uses_majors(stage_term):
        errors = majors.vocational_errors(record, stage_term, partial)
    else:
        errors = _school_errors(record, stage_term, vocabularies)
    volume = vocabularies.get("volumes").term(record.get("volume") or "")
    if volume is not None and volume.get("stages") and stage not in volume.get("stages"):
        errors["volume"] = [
            message(
                "volume_not_in_stage", volume=volume.code, allowed=", ".join(volume.get("stages"))
            )
        ]
    return errors


def _school_errors(record: Mapping[str, Any], stage_term, vocabularies) -> dict[str, list[str]]:
    """A school stage: its own grades and subjects, and no majors."""
    stage = stage_term.code
    errors: dict[str, list[str]] = {}
    grades_vocab, subjects_vocab = vocabularies.get("grades"), vocabularies.get("subjects")
    stage_grades = [t.code for t in grades_vocab if t.get("stage") == stage]
    stage_subjects = [t.code for t in subjects_vocab if stage in t.get("stages", ())]
    common = dict(stage=stage, stage_zh=stage_term.zh)
    for grade in record.get("grades") or []:
        if grade in grades_vocab and grade not in stage_grades:
            key = "grade_not_in_stage" if stage_grades else "stage_without_grades"
            errors.setdefault("grades", []).append(
                message(key, grade=grade, allowed=", ".join(stage_grades), **common)
            )
    for subject in record.get("subjects") or []:
        if subject in subjects_vocab and subject not in stage_subjects:
            errors.setdefault("subjects", []).append(
                message(
                    "subject_not_in_stage",
                    subject=subject,
                    allowed=", ".join(stage_subjects) or "-",
                    **common,
                )
            )
    if record.get("majors"):
        errors["majors"] = [message("majors_not_for_stage", **common)]
    return errors


def infer_stage(grades: list[str], major_codes: list[str] = ()) -> str | None:
    """The one stage all the grades (or all the majors) belong to, or None."""
    vocabulary = load_vocabularies().get("grades")
    stages = {vocabulary.term(g).get("stage") for g in grades if vocabulary.term(g) is not None}
    if major_codes:
        stages.add(majors.stage_of(major_codes))
    return stages.pop() if len(stages) == 1 else None


def normalise_record(data: Mapping[str, Any]) -> dict:
    """Tidy a record before validation (importers, crosswalks): NFC text with outer whitespace
    stripped, lists without repeats, empty strings and None dropped. It never raises; the schema
    decides what is valid."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value).strip()
        elif isinstance(value, (list, tuple)):
            value = dedupe(
                [
                    unicodedata.normalize("NFC", v).strip() if isinstance(v, str) else v
                    for v in value
                    if not (isinstance(v, str) and not v.strip()) and v is not None
                ]
            )
        if value is None or value == "":
            continue
        out[key] = value
    return out
