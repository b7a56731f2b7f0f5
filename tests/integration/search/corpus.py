"""About sixty realistic Chinese records (canonical dicts) and a plain-Python oracle of what a
search must return."""

from __future__ import annotations

from hub.security.regions import region_ancestors

# (id, title, description, keywords, stage, subjects, grades, type, themes, region, edition, volume)
SPECIAL = [
    (
        "frac-add",
        "分数的加法",
        "人教版五年级下册数学：同分母分数的加法与异分母分数加法的计算方法，配套课堂练习。",
        ["分数", "加法", "通分"],
        "primary",
        ["math"],
        ["g5"],
        "lesson-plan",
        [],
        "640104",
        "pep",
        "vol2",
    ),
    (
        "frac-mul",
        "分数乘法",
        "分数乘整数、分数乘分数的意义和计算。",
        ["分数", "乘法"],
        "primary",
        ["math"],
        ["g6"],
        "courseware",
        [],
        "640104",
        "pep",
        "vol1",
    ),
    (
        "frac-meaning",
        "分数的意义和性质",
        "认识分数单位、约分与通分。",
        ["分数"],
        "primary",
        ["math"],
        ["g5"],
        "micro-lecture",
        [],
        "640105",
        "pep",
        "vol2",
    ),
    (
        "decimal-add",
        "小数加法和减法",
        "小数加减法的竖式计算，注意小数点对齐。",
        ["小数", "加法"],
        "primary",
        ["math"],
        ["g4"],
        "exercise",
        [],
        "640181",
        "bsd",
        "vol2",
    ),
    (
        "wuzhong-river",
        "吴忠市黄河文化乡土读本",
        "介绍吴忠市沿黄地区的历史、民俗与治水故事。",
        ["乡土教材", "黄河"],
        "junior",
        ["history"],
        ["g7"],
        "material",
        ["yellow-river"],
        "640300",
        None,
        None,
    ),
    (
        "litong-agri",
        "利通区现代农业研学手册",
        "吴忠市利通区设施农业与枸杞种植研学活动设计。",
        ["研学", "枸杞"],
        "junior",
        ["biology"],
        ["g8"],
        "lesson-plan",
        ["modern-agriculture"],
        "640302",
        None,
        None,
    ),
    (
        "pythagoras",
        "勾股定理的证明",
        "用面积法和赵爽弦图证明勾股定理，附探究活动。",
        ["勾股定理", "几何"],
        "junior",
        ["math"],
        ["g8"],
        "courseware",
        [],
        "640104",
        "pep",
        "vol2",
    ),
    (
        "function-review",
        "初中数学函数复习",
        "一次函数、反比例函数与二次函数的综合复习。",
        ["函数", "复习"],
        "junior",
        ["math"],
        ["g9"],
        "courseware",
        [],
        "640202",
        "pep",
        "vol-all",
    ),
    (
        "english-greetings",
        "Unit 1 Hello! 英语问候语",
        "小学英语三年级上册第一单元 greetings 对话教学。",
        ["hello", "问候"],
        "primary",
        ["english"],
        ["g3"],
        "courseware",
        [],
        "640104",
        "pep",
        "vol1",
    ),
    (
        "physics-newton",
        "牛顿第一定律",
        "通过实验探究阻力对物体运动的影响，理解惯性。",
        ["惯性", "力学"],
        "junior",
        ["physics"],
        ["g8"],
        "experiment",
        [],
        "640502",
        "rjb",
        "vol2",
    ),
    (
        "red-liupan",
        "六盘山红色文化校本课程",
        "长征精神与六盘山革命历史，红色文化进课堂。",
        ["长征", "校本课程"],
        "junior",
        ["history"],
        ["g8"],
        "material",
        ["red-culture"],
        "640400",
        None,
        None,
    ),
    (
        "energy-ningdong",
        "宁东新能源科普",
        "光伏发电与风力发电在宁夏的应用，新能源产业介绍。",
        ["光伏", "风电"],
        "senior",
        ["physics", "geography"],
        ["g10"],
        "material",
        ["new-energy"],
        "640181",
        None,
        None,
    ),
]

TOPICS = [
    (
        "chinese",
        "primary",
        ["g2"],
        ["古诗两首", "找春天", "识字：场景歌", "小蝌蚪找妈妈", "雪孩子"],
    ),
    ("chinese", "junior", ["g7"], ["春", "济南的冬天", "论语十二章", "背影", "藤野先生"]),
    (
        "math",
        "senior",
        ["g10"],
        ["集合的概念", "函数的单调性", "等差数列", "三角函数的诱导公式", "空间向量"],
    ),
    (
        "chemistry",
        "junior",
        ["g9"],
        ["氧气的制取", "质量守恒定律", "溶液的酸碱性", "金属的化学性质"],
    ),
    (
        "biology",
        "senior",
        ["g11"],
        ["细胞的结构", "光合作用", "遗传的基本规律", "生态系统的稳定性"],
    ),
    ("geography", "junior", ["g8"], ["中国的地形", "黄河的治理", "中国的气候", "西北地区"]),
    ("history", "senior", ["g10"], ["秦统一中国", "丝绸之路", "辛亥革命", "改革开放"]),
    ("english", "junior", ["g7"], ["My family 我的家庭", "School life 校园生活", "Travel 旅行"]),
    (
        "math",
        "primary",
        ["g3"],
        ["两位数乘两位数", "长方形和正方形的面积", "认识时间", "年月日", "位置与方向"],
    ),
    ("physics", "senior", ["g11"], ["匀变速直线运动", "电磁感应", "动量守恒定律"]),
]
TYPES = ("courseware", "lesson-plan", "exercise", "micro-lecture", "test-paper")
REGIONS = ("640104", "640105", "640202", "640302", "640402", "640502", "640181", "640300")
TYPE_WORDS = {
    "courseware": "课件",
    "lesson-plan": "教案",
    "exercise": "练习",
    "micro-lecture": "微课",
    "test-paper": "单元测试",
}

# Organisation tree: province 1 > city 2 > school 5 (org code school-a) and school 6 (school-b).
ORG_PATHS = {
    "ningxia-edu": [1],
    "wuzhong-edu": [1, 2],
    "school-a": [1, 2, 5],
    "school-b": [1, 2, 6],
}


def _record(
    i,
    rid,
    title,
    description,
    keywords,
    stage,
    subjects,
    grades,
    type_,
    themes,
    region,
    edition,
    volume,
    **extra,
):
    record = {
        "id": rid,
        "title": title,
        "description": description,
        "keywords": keywords,
        "stage": stage,
        "subjects": subjects,
        "grades": grades,
        "type": type_,
        "themes": themes,
        "region": region,
        "edition": edition,
        "volume": volume,
        "license": "CC-BY-4.0" if i % 3 else "CC-BY-NC-4.0",
        "org": "ningxia-edu" if i % 2 else "wuzhong-edu",
        "source": "national" if i % 5 == 0 else None,
        "visibility": "public",
        "status": "published",
        "is_latest": True,
        # Distinct dates and download counts, so every sort has one right order in every engine.
        "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
        "updated": f"2025-01-01T00:{i // 60:02d}:{i % 60:02d}Z",
        "downloads": 1000 - 7 * i,
        # Averages repeat across records, counts do not: the rating sort has one right order too.
        "rating_avg": round(1 + (i * 37 % 401) / 100, 2),
        "rating_count": i,
    }
    record.update(extra)
    return record


def records() -> list[dict]:
    out = [_record(i, *row) for i, row in enumerate(SPECIAL)]
    i = len(out)
    for subject, stage, grades, titles in TOPICS:
        for title in titles:
            type_ = TYPES[i % len(TYPES)]
            out.append(
                _record(
                    i,
                    f"topic-{i:03d}",
                    f"{title}{TYPE_WORDS[type_]}",
                    f"{title}：{stage}学段{subject}教学资源，含教学目标、重难点与课堂练习。",
                    [title],
                    stage,
                    [subject],
                    grades,
                    type_,
                    [],
                    REGIONS[i % len(REGIONS)],
                    "pep",
                    "vol1" if i % 2 else "vol2",
                )
            )
            i += 1
    out += hidden_records(i)
    return out


def hidden_records(i: int) -> list[dict]:
    """Records that only some callers may see: org-only, region-only, a draft and an old version."""
    return [
        _record(
            i,
            "org-only",
            "校本分数练习册",
            "学校内部使用的分数练习。",
            ["分数"],
            "primary",
            ["math"],
            ["g5"],
            "exercise",
            [],
            "640302",
            "pep",
            "vol2",
            org="school-a",
            visibility="org",
        ),
        _record(
            i + 1,
            "region-only",
            "吴忠市分数教研课例",
            "吴忠市内部教研分享。",
            ["分数"],
            "primary",
            ["math"],
            ["g5"],
            "lesson-plan",
            [],
            "640300",
            "pep",
            "vol2",
            org="wuzhong-edu",
            visibility="region",
        ),
        _record(
            i + 2,
            "draft",
            "分数的加法草稿",
            "尚未发布。",
            ["分数"],
            "primary",
            ["math"],
            ["g5"],
            "lesson-plan",
            [],
            "640104",
            "pep",
            "vol2",
            status="draft",
        ),
        _record(
            i + 3,
            "old-version",
            "分数的加法（旧版）",
            "已被新版本替代。",
            ["分数"],
            "primary",
            ["math"],
            ["g5"],
            "lesson-plan",
            [],
            "640104",
            "pep",
            "vol2",
            is_latest=False,
        ),
    ]


# -- the oracle: what a caller may read and what an exact filter returns, in plain Python ----------


def readable(record: dict, *, regions=(), org_ids=(), public_only=True, everything=False) -> bool:
    if record["status"] != "published" or not record["is_latest"]:
        return False
    if everything or record["visibility"] == "public":
        return True
    if public_only:
        return False
    if record["visibility"] == "region":
        mine = {a for r in regions for a in region_ancestors(r)}
        return record["region"] in mine or any(
            r in region_ancestors(record["region"]) for r in regions
        )
    return bool(set(ORG_PATHS[record["org"]]) & set(org_ids))


def values(record: dict, name: str) -> list[str]:
    if name == "region":
        return region_ancestors(record["region"])
    if name == "org_tree":
        return [str(i) for i in ORG_PATHS[record["org"]]]
    value = record.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def matching(recs, filters: dict, **scope) -> list[dict]:
    return [
        r
        for r in recs
        if readable(r, **scope)
        and all(set(values(r, name)) & set(codes) for name, codes in filters.items())
    ]


def facet_counts(recs, name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in recs:
        own = [record["region"]] if name == "region" else values(record, name)
        for code in own:
            counts[code] = counts.get(code, 0) + 1
    return counts
