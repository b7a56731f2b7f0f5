"""Validation messages, Chinese first then English, in one string: what is wrong and what to do."""

from __future__ import annotations

# A vocabulary with more codes than this is not listed in full in a message; the message points to
# the API.
MAX_LISTED_CODES = 12

MESSAGES = {
    # Replacements for marshmallow's own defaults.
    "required": "此项为必填项。This field is required.",
    "null": "此项不能为 null。This field may not be null.",
    "validator_failed": "取值无效。Invalid value.",
    "invalid_string": "应为文本（字符串）。Must be a text string.",
    "invalid_utf8": "不是有效的 UTF-8 文本。Not valid UTF-8 text.",
    "invalid_list": '应为列表，例如 ["a", "b"]。Must be a list, e.g. ["a", "b"].',
    "invalid_integer": "应为整数。Must be a whole number.",
    "invalid_datetime": "应为 ISO 8601 日期时间，例如 2024-09-01T08:00:00Z。"
    "Must be an ISO 8601 date-time, e.g. 2024-09-01T08:00:00Z.",
    "invalid_object": "应为 JSON 对象。Must be a JSON object.",
    "invalid_url": "不是有效的网址。Not a valid URL.",
    # formatted by marshmallow's OneOf
    "one_of": "应为以下之一：{choices}。Must be one of: {choices}.",
    "schema_type": "请求体应为 JSON 对象。The body must be a JSON object.",
    "unknown": "未知字段，请删除它。Unknown field: remove it. 可用字段 / accepted fields: {fields}",
    # Lengths.
    "too_short": "至少 {min} 个字符。Must be at least {min} characters long.",
    "too_long": "最多 {max} 个字符，请缩短。"
    "Must be at most {max} characters long; please shorten it.",
    "length_between": "长度应为 {min} 到 {max} 个字符。"
    "Must be between {min} and {max} characters long.",
    "too_many": "最多 {max} 项，请删减。At most {max} items are allowed; please remove some.",
    "blank": "不能为空白。Must not be blank.",
    "title_blank": "标题不能为空。Title must not be empty.",
    "bad_characters": "包含不允许的控制字符，请删除后重试。"
    "Contains control characters that are not allowed; remove them and try again.",
    # Vocabularies.
    "not_in_vocabulary": "{field}：“{value}”不在“{label_zh}”词表中，可选代码：{codes}。"
    "{field}: '{value}' is not in the {label_en} vocabulary; allowed codes: {codes}.",
    "not_in_long_vocabulary": "{field}：“{value}”不在“{label_zh}”词表中，"
    "可用代码见 GET /api/v1/vocabularies/{name}。"
    "{field}: '{value}' is not in the {label_en} vocabulary; see GET /api/v1/vocabularies/{name} "
    "for the allowed codes.",
    "grade_not_in_stage": "年级 {grade} 不属于学段 {stage}（{stage_zh}），该学段的年级为："
    "{allowed}。Grade {grade} is not in stage {stage}; its grades are: {allowed}.",
    "subject_not_in_stage": "学科 {subject} 在学段 {stage}（{stage_zh}）中没有开设，"
    "该学段的学科为：{allowed}。Subject {subject} is not taught in stage {stage}; its subjects "
    "are: {allowed}.",
    "stage_without_grades": "学段 {stage}（{stage_zh}）没有年级，请不要填写 grades。"
    "Stage {stage} has no grades; leave grades out.",
    "volume_not_in_stage": "册次 {volume} 只用于学段：{allowed}。"
    "Volume {volume} is only used in stages: {allowed}.",
    # Majors (vocational and higher stages).
    "major_required": "学段 {stage}（{stage_zh}）的资源须在 majors 中填写至少一个该学段的专业，"
    "可用代码见 GET /api/v1/vocabularies/majors。A record of stage {stage} needs at least one "
    "major of that stage in majors; see GET /api/v1/vocabularies/majors for the codes.",
    "stage_uses_majors": "学段 {stage}（{stage_zh}）按专业描述，不使用{what_zh}；请删除 {field}，"
    "改为填写 majors。Stage {stage} is described by majors, not {what_en}: remove {field} and "
    "give majors instead.",
    "major_not_in_stage": "专业 {major}（{major_zh}）属于学段 {level}（{level_zh}），"
    "不属于学段 {stage}（{stage_zh}）；请选择该学段的专业，或更改学段。Major {major} belongs to "
    "stage {level}, not {stage}; choose a major of stage {stage} or change the stage.",
    "majors_not_for_stage": "学段 {stage}（{stage_zh}）按年级和学科描述，不使用专业；"
    "请删除 majors。Stage {stage} is described by grades and subjects, not majors: remove majors.",
    "majors_mixed": "所选专业分属不同学段（{stages}）；请填写 stage，并只保留该学段的专业。"
    "The majors belong to different stages ({stages}): give stage and keep only majors of that "
    "stage.",
    # Creators.
    "creator_type": '应为姓名文本，或 {{"name": "姓名", "role": "author"}} 形式的对象。'
    'Must be a name, or an object like {{"name": "...", "role": "author"}}.',
}


def message(key: str, **values) -> str:
    """The catalogue entry `key` with its placeholders filled."""
    return MESSAGES[key].format(**values)


def codes_hint(field: str, value, vocabulary) -> str:
    """The message for a code that is not in `vocabulary`: short lists in full, long ones by their
    API address."""
    common = dict(
        field=field,
        value=value,
        name=vocabulary.name,
        label_zh=vocabulary.title["zh"],
        label_en=vocabulary.title["en"],
    )
    if len(vocabulary.codes) > MAX_LISTED_CODES:
        return message("not_in_long_vocabulary", **common)
    return message("not_in_vocabulary", codes=", ".join(vocabulary.codes), **common)
