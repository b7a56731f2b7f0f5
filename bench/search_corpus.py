"""A realistic search corpus as JSON Lines for `eduhub import`: Chinese titles, descriptions and
keywords drawn from the vocabularies, real textbook chapters and local themes. Deterministic for a
given seed.

    python bench/search_corpus.py --count 100000 --out /tmp/corpus.jsonl [--org bench-school]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Real-sounding teaching topics per subject (chapters of common textbooks).
TOPICS = {
    "chinese": [
        "春",
        "济南的冬天",
        "背影",
        "藤野先生",
        "岳阳楼记",
        "醉翁亭记",
        "故乡",
        "沁园春·雪",
        "劝学",
        "师说",
        "赤壁赋",
        "荷花",
        "燕子",
        "赵州桥",
        "观潮",
        "草原",
        "桥",
        "穷人",
        "古诗三首",
        "小蝌蚪找妈妈",
        "雪孩子",
        "论语十二章",
        "三峡",
        "白杨礼赞",
        "将相和",
        "落花生",
        "桂花雨",
        "少年中国说",
        "登泰山记",
        "百合花",
    ],
    "math": [
        "分数的加法和减法",
        "分数乘法",
        "分数除法",
        "小数乘法",
        "圆的面积",
        "长方形和正方形",
        "两位数乘两位数",
        "认识时间",
        "年月日",
        "位置与方向",
        "百分数",
        "比例",
        "有理数的加法",
        "一元一次方程",
        "整式的加减",
        "勾股定理",
        "一次函数",
        "二次函数",
        "相似三角形",
        "圆周角定理",
        "集合的概念",
        "函数的单调性",
        "等差数列",
        "等比数列",
        "三角函数的诱导公式",
        "空间向量",
        "概率初步",
        "统计与概率",
        "平行四边形的面积",
        "三角形的内角和",
    ],
    "english": [
        "Hello 问候",
        "My family 我的家庭",
        "School life 校园生活",
        "Travel 旅行",
        "Colours 颜色",
        "Animals 动物",
        "Festivals 节日",
        "Healthy food 健康饮食",
        "Seasons 季节",
        "Sports 运动",
    ],
    "physics": [
        "牛顿第一定律",
        "光的折射",
        "欧姆定律",
        "电磁感应",
        "动量守恒定律",
        "匀变速直线运动",
        "浮力",
        "压强",
        "机械能守恒",
        "电功率",
        "声音的产生与传播",
        "凸透镜成像规律",
    ],
    "chemistry": [
        "氧气的制取",
        "质量守恒定律",
        "溶液的酸碱性",
        "金属的化学性质",
        "水的组成",
        "燃烧与灭火",
        "原子的结构",
        "化学方程式",
        "酸和碱的中和反应",
        "有机合成材料",
    ],
    "biology": [
        "细胞的结构",
        "光合作用",
        "遗传的基本规律",
        "生态系统的稳定性",
        "人体的消化系统",
        "植物的蒸腾作用",
        "DNA的结构",
        "种群和群落",
        "神经调节",
        "微生物的发酵",
    ],
    "geography": [
        "中国的地形",
        "黄河的治理",
        "中国的气候",
        "西北地区",
        "地球的运动",
        "等高线地形图",
        "人口与城市",
        "宁夏的地理环境",
        "河流与湖泊",
        "自然资源",
    ],
    "history": [
        "秦统一中国",
        "丝绸之路",
        "辛亥革命",
        "改革开放",
        "西夏王朝",
        "红军长征",
        "抗日战争",
        "新中国成立",
        "唐朝的繁荣",
        "宋元时期的经济",
    ],
    "morality-law": [
        "我们的班级",
        "家庭的温暖",
        "法律伴我成长",
        "民族团结一家亲",
        "遵守社会规则",
        "珍爱生命",
    ],
}
STYLES = {
    "courseware": (
        "{ed}{gr}{subj}{vol}《{topic}》教学课件",
        "配套课堂讲授的演示课件，含情境导入、新知探究、课堂练习和小结。",
    ),
    "lesson-plan": (
        "{ed}{gr}{subj}《{topic}》教学设计",
        "完整的教学设计，包括学情分析、教学目标、重难点、教学过程与板书设计。",
    ),
    "study-guide": (
        "《{topic}》导学案（{gr}{subj}）",
        "供学生课前预习与课堂合作学习使用的导学案。",
    ),
    "micro-lecture": ("{gr}{subj}微课：{topic}", "约六分钟的微课视频，聚焦本课的一个重点或难点。"),
    "exercise": (
        "《{topic}》课后练习（{gr}）",
        "分层设计的课后练习，含基础题、提高题和拓展题，附答案与解析。",
    ),
    "exam": ("{gr}{subj}单元测试：{topic}", "单元检测试卷，题型包括选择、填空和解答，附评分标准。"),
    "material": ("{topic}教学素材包", "收录与本课相关的图片、音视频与拓展阅读材料。"),
}
PLACES = [
    "银川",
    "吴忠",
    "固原",
    "中卫",
    "石嘴山",
    "贺兰山",
    "沙坡头",
    "六盘山",
    "青铜峡",
    "闽宁镇",
    "沙湖",
]
THEME_SENTENCES = {
    "yellow-river": "结合黄河宁夏段的治水故事，",
    "red-culture": "融入六盘山红色文化，",
    "ethnic-unity": "体现民族团结一家亲，",
    "new-energy": "联系宁夏光伏与风电产业，",
}
STAGE_GRADES = {
    "primary": ["g1", "g2", "g3", "g4", "g5", "g6"],
    "junior": ["g7", "g8", "g9"],
    "senior": ["g10", "g11", "g12"],
}


def labels() -> dict:
    from metadata.vocabularies import load_vocabularies

    vocab = load_vocabularies()
    out = {
        name: {t.code: t.zh for t in vocab.get(name)}
        for name in (
            "subjects",
            "grades",
            "editions",
            "volumes",
            "regions",
            "themes",
            "licenses",
            "types",
        )
    }
    out["subject_stages"] = {t.code: tuple(t.get("stages") or ()) for t in vocab.get("subjects")}
    out["volume_stages"] = {t.code: tuple(t.get("stages") or ()) for t in vocab.get("volumes")}
    return out


def record(rng: random.Random, lab: dict, i: int, org: str) -> dict:
    subject = rng.choice(list(TOPICS))
    stage = rng.choice(
        [s for s in ("primary", "junior", "senior") if s in lab["subject_stages"][subject]]
    )
    grade = rng.choice(STAGE_GRADES[stage])
    type_ = rng.choice([t for t in STYLES if t in lab["types"]] or ["courseware"])
    topic = rng.choice(TOPICS[subject])
    edition = rng.choice(["tongbian", "pep", "bsd", "sj", "rjb"]) if rng.random() < 0.8 else None
    edition = edition if edition in lab["editions"] else None
    volume = (
        rng.choice(["vol1", "vol2"]) if stage != "senior" else rng.choice(["compulsory-1", "full"])
    )
    themes = [rng.choice(list(THEME_SENTENCES))] if rng.random() < 0.15 else []
    region = rng.choice([c for c in lab["regions"] if not c.endswith("0000")])
    title_t, desc_t = STYLES[type_]
    fill = dict(
        ed=lab["editions"].get(edition, ""),
        gr=lab["grades"][grade],
        subj=lab["subjects"][subject],
        vol=lab["volumes"].get(volume, ""),
        topic=topic,
    )
    place = rng.choice(PLACES)
    description = (
        f"{THEME_SENTENCES.get(themes[0], '') if themes else ''}{place}的老师为"
        f"{fill['gr']}{fill['subj']}《{topic}》编写。{desc_t}（第{i % 97 + 1}号）"
    )
    return {
        "title": title_t.format(**fill),
        "description": description,
        "stage": stage,
        "subjects": [subject],
        "grades": [grade],
        "edition": edition,
        "volume": volume,
        "type": type_,
        "themes": themes,
        "keywords": [topic.split(" ")[0][:20], fill["subj"], place],
        "license": rng.choice(list(lab["licenses"])),
        "region": region,
        "org": org,
        "visibility": "public" if rng.random() < 0.9 else rng.choice(["region", "org"]),
        "creators": [
            {
                "name": rng.choice(["马晓燕", "李建国", "王海霞", "张志强", "杨丽娟", "丁学文"]),
                "role": "author",
            }
        ],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--org", default="bench-school")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    rng, lab = random.Random(args.seed), labels()
    with open(args.out, "w", encoding="utf-8") as out:
        for i in range(args.count):
            out.write(json.dumps(record(rng, lab, i, args.org), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
