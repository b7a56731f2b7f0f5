"""What a client may send for a collection, checked before anything is stored."""

from __future__ import annotations

from hub.db.models.social import COLLECTION_VISIBILITIES
from hub.errors import ValidationFailed

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_NOTE = 1000
FIELDS = ("title", "description", "visibility", "org")


def _fail(field: str, message: str):
    raise ValidationFailed.from_messages({field: [message]})


def _text(data: dict, name: str, limit: int, required: bool = False) -> str:
    value = data.get(name)
    if not isinstance(value, str) or "\x00" in value:
        _fail(name, "应为文字。Must be text.")
    value = value.strip()
    if required and not value:
        _fail(name, "不能为空。Give it a name, e.g. 第一单元 有理数.")
    if len(value) > limit:
        _fail(name, f"最多 {limit} 个字。At most {limit} characters.")
    return value


def clean_fields(data, *, partial: bool) -> dict:
    """title, description, visibility and org from a JSON object; unknown fields are refused."""
    if not isinstance(data, dict):
        raise ValidationFailed("请求体应为 JSON 对象。The body must be a JSON object.")
    unknown = sorted(set(data) - set(FIELDS) - {"revision"})
    if unknown:
        raise ValidationFailed.from_messages({n: ["未知字段。Unknown field."] for n in unknown})
    out: dict = {}
    if "title" in data or not partial:
        out["title"] = _text(data, "title", MAX_TITLE, required=True)
    if "description" in data:
        out["description"] = _text(data, "description", MAX_DESCRIPTION)
    if "visibility" in data:
        if data["visibility"] not in COLLECTION_VISIBILITIES:
            _fail(
                "visibility",
                f"只能是 {', '.join(COLLECTION_VISIBILITIES)}。"
                f"Must be one of {', '.join(COLLECTION_VISIBILITIES)}.",
            )
        out["visibility"] = data["visibility"]
    if "org" in data and data["org"] is not None:
        out["org"] = _text(data, "org", 64, required=True)
    return out


def clean_note(note) -> str | None:
    if note is None:
        return None
    return _text({"note": note}, "note", MAX_NOTE)


def clean_ids(ids) -> list[str]:
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        _fail("items", "应为资源编号的列表。Must be a list of resource ids.")
    if len(set(ids)) != len(ids):
        _fail("items", "每个资源只能出现一次。Name each resource once.")
    return ids
