"""The demo catalogue: realistic resource records built from real textbook chapters and Ningxia's
local themes.

`build_catalogue()` is deterministic (a fixed seed), so a second `seed-demo` run finds the same
titles.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# (subject, stage, edition, grade, volume, owning school code, chapters or lessons of the real
# textbook)
TEXTBOOK = [
    (
        "chinese",
        "primary",
        "tongbian",
        "g3",
        "vol1",
        "nx-yc-xq-hm2x",
        [
            "大青树下的小学",
            "花的学校",
            "铺满金色巴掌的水泥道",
            "司马光",
            "富饶的西沙群岛",
            "美丽的小兴安岭",
        ],
    ),
    (
        "chinese",
        "primary",
        "tongbian",
        "g3",
        "vol2",
        "nx-wz-lt-2x",
        ["燕子", "荷花", "守株待兔", "陶罐和铁罐", "赵州桥", "慢性子裁缝和急性子顾客"],
    ),
    (
        "chinese",
        "primary",
        "tongbian",
        "g4",
        "vol1",
        "nx-gy-yz-5x",
        ["观潮", "走月亮", "爬山虎的脚", "蝙蝠和雷达", "盘古开天地", "精卫填海"],
    ),
    (
        "chinese",
        "primary",
        "tongbian",
        "g5",
        "vol1",
        "nx-yc-jf-21x",
        ["白鹭", "落花生", "桂花雨", "将相和", "圆明园的毁灭", "少年中国说（节选）"],
    ),
    (
        "chinese",
        "primary",
        "tongbian",
        "g6",
        "vol1",
        "nx-zw-sp-3x",
        ["草原", "丁香结", "桥", "穷人", "开国大典", "狼牙山五壮士"],
    ),
    (
        "chinese",
        "junior",
        "tongbian",
        "g7",
        "vol1",
        "nx-yc-xx-1z",
        ["春", "济南的冬天", "秋天的怀念", "散步", "从百草园到三味书屋", "皇帝的新装"],
    ),
    (
        "chinese",
        "junior",
        "tongbian",
        "g8",
        "vol1",
        "nx-zw-zn-1z",
        ["背影", "白杨礼赞", "藤野先生", "中国石拱桥", "三峡", "回忆我的母亲"],
    ),
    (
        "chinese",
        "junior",
        "tongbian",
        "g9",
        "vol1",
        "nx-wz-tx-1z",
        ["沁园春·雪", "岳阳楼记", "醉翁亭记", "故乡", "我的叔叔于勒"],
    ),
    (
        "chinese",
        "senior",
        "tongbian",
        "g10",
        "compulsory-1",
        "nx-yc-yz1",
        ["沁园春·长沙", "百合花", "劝学", "师说", "赤壁赋", "登泰山记"],
    ),
    (
        "math",
        "primary",
        "pep",
        "g3",
        "vol1",
        "nx-szs-dwk-2x",
        [
            "时、分、秒",
            "万以内的加法和减法",
            "测量",
            "倍的认识",
            "长方形和正方形",
            "分数的初步认识",
        ],
    ),
    (
        "math",
        "primary",
        "pep",
        "g5",
        "vol1",
        "nx-yc-jf-21x",
        ["小数乘法", "位置", "小数除法", "简易方程", "多边形的面积"],
    ),
    (
        "math",
        "primary",
        "pep",
        "g6",
        "vol1",
        "nx-wz-lt-2x",
        ["分数乘法", "位置与方向", "分数除法", "比", "圆", "百分数"],
    ),
    (
        "math",
        "junior",
        "pep",
        "g7",
        "vol1",
        "nx-yc-xx-1z",
        [
            "正数和负数",
            "数轴",
            "有理数的加法",
            "绝对值",
            "整式的加减",
            "一元一次方程",
            "几何图形初步",
        ],
    ),
    (
        "math",
        "junior",
        "pep",
        "g8",
        "vol1",
        "nx-gy-xj-jtb",
        ["三角形的内角和", "全等三角形", "轴对称", "整式的乘法与因式分解", "分式"],
    ),
    (
        "math",
        "junior",
        "pep",
        "g9",
        "vol1",
        "nx-zw-zn-1z",
        ["一元二次方程", "二次函数的图象和性质", "旋转", "圆", "概率初步"],
    ),
    (
        "math",
        "senior",
        "pep-a",
        "g10",
        "compulsory-1",
        "nx-szs-1z",
        ["集合的概念", "函数的概念及其表示", "指数函数", "对数函数", "三角函数的概念"],
    ),
    (
        "english",
        "primary",
        "pep-primary-english",
        "g4",
        "vol1",
        "nx-szs-dwk-2x",
        [
            "Unit 1 My classroom",
            "Unit 2 My schoolbag",
            "Unit 3 My friends",
            "Unit 4 My home",
            "Unit 5 Dinner's ready",
        ],
    ),
    (
        "english",
        "junior",
        "pep",
        "g7",
        "vol1",
        "nx-wz-tx-1z",
        [
            "Unit 1 My name's Gina.",
            "Unit 2 This is my sister.",
            "Unit 3 Is this your pencil?",
            "Unit 4 Where's my schoolbag?",
            "Unit 5 Do you have a soccer ball?",
        ],
    ),
    (
        "physics",
        "junior",
        "pep",
        "g8",
        "vol1",
        "nx-gy-1z",
        ["机械运动", "声现象", "物态变化", "光现象", "透镜及其应用", "质量与密度"],
    ),
    (
        "physics",
        "junior",
        "pep",
        "g9",
        "full",
        "nx-zw-hy-1z",
        ["内能", "电流和电路", "欧姆定律", "电功率", "电与磁"],
    ),
    (
        "physics",
        "senior",
        "pep",
        "g10",
        "compulsory-1",
        "nx-yc-yz1",
        ["运动的描述", "匀变速直线运动的研究", "相互作用——力", "牛顿运动定律"],
    ),
    (
        "chemistry",
        "junior",
        "pep",
        "g9",
        "vol1",
        "nx-zw-1z",
        [
            "走进化学世界",
            "我们周围的空气",
            "物质构成的奥秘",
            "自然界的水",
            "化学方程式",
            "碳和碳的氧化物",
        ],
    ),
    (
        "chemistry",
        "senior",
        "pep",
        "g10",
        "compulsory-1",
        "nx-wz-wzzx",
        ["物质的分类及转化", "离子反应", "氧化还原反应", "钠及其化合物"],
    ),
    (
        "biology",
        "junior",
        "pep",
        "g7",
        "vol1",
        "nx-gy-xj-jtb",
        [
            "生物的特征",
            "生物与环境的关系",
            "练习使用显微镜",
            "植物细胞",
            "绿色植物与生物圈的水循环",
            "光合作用",
        ],
    ),
    (
        "biology",
        "senior",
        "pep",
        "g10",
        "compulsory-1",
        "nx-gy-1z",
        ["细胞中的元素和化合物", "细胞膜的结构和功能", "酶的作用和本质", "光合作用与能量转化"],
    ),
    (
        "geography",
        "junior",
        "pep",
        "g8",
        "vol1",
        "nx-wz-tx-1z",
        ["疆域", "人口", "地形和地势", "气候", "河流", "水资源"],
    ),
    (
        "history",
        "junior",
        "tongbian",
        "g7",
        "vol1",
        "nx-zw-hy-1z",
        [
            "秦统一中国",
            "西汉建立和“文景之治”",
            "沟通中外文明的“丝绸之路”",
            "三国鼎立",
            "北魏政治和北方民族大交融",
        ],
    ),
    (
        "history",
        "junior",
        "tongbian",
        "g8",
        "vol1",
        "nx-gy-1z",
        ["鸦片战争", "洋务运动", "辛亥革命", "五四运动", "中国工农红军长征"],
    ),
    (
        "morality-law",
        "junior",
        "tongbian",
        "g7",
        "vol1",
        "nx-yc-xx-1z",
        ["中学时代", "学习伴成长", "友谊的天空", "师长情谊", "生命的思考"],
    ),
    (
        "science",
        "primary",
        "jiaoke",
        "g3",
        "vol1",
        "nx-zw-sp-3x",
        ["水和水蒸气", "空气能占据空间吗", "观察天气", "我们关心天气", "谁更耐用"],
    ),
    (
        "info-tech",
        "senior",
        "local",
        "g10",
        "compulsory-1",
        "nx-szs-1z",
        ["数据与大数据", "算法与程序实现", "用Python处理数据", "人工智能初步"],
    ),
]

# Local-theme resources: (title, type, themes, stage, subjects, grades, region, owner org, a
# sentence about it)
THEMED = [
    (
        "黄河文化进课堂：中卫沙坡头的治沙故事",
        "micro-lecture",
        ["yellow-river", "desert-control"],
        "junior",
        ["geography"],
        ["g8"],
        "640502",
        "nx-zw-1z",
        "讲述沙坡头几代治沙人用麦草方格固沙、让包兰铁路穿越腾格里沙漠的故事",
    ),
    (
        "新能源：宁夏光伏发电科普素材包",
        "material",
        ["new-energy"],
        "junior",
        ["physics"],
        ["g9"],
        "640000",
        "nx-alliance",
        "收录腾格里沙漠光伏基地、“板上发电、板下种植”的图片与数据，配合“能源与可持续发展”教学",
    ),
    (
        "红色文化：六盘山红军长征纪念馆研学课件",
        "courseware",
        ["red-culture", "liupan-mountains"],
        "junior",
        ["history"],
        ["g8"],
        "640400",
        "nx-gy-1z",
        "以毛泽东《清平乐·六盘山》为线索，组织学生开展红色研学",
    ),
    (
        "将台堡红军长征会师纪念园：会师精神主题班会",
        "lesson-plan",
        ["red-culture"],
        "primary",
        ["morality-law"],
        ["g5"],
        "640422",
        "nx-gy-xj-jtb",
        "围绕三大主力红军会师的历史，设计讲故事、唱红歌、写感言三个环节",
    ),
    (
        "民族团结一家亲：回汉群众共建美丽家园",
        "lesson-plan",
        ["ethnic-unity"],
        "primary",
        ["morality-law"],
        ["g4"],
        "640300",
        "nx-wz-lt-2x",
        "以社区邻里互助的真实事例，引导学生理解各民族像石榴籽一样紧紧抱在一起",
    ),
    (
        "闽宁镇：从“干沙滩”到“金沙滩”",
        "micro-lecture",
        ["resettlement", "ethnic-unity"],
        "senior",
        ["politics"],
        ["g11"],
        "640121",
        "nx-alliance",
        "讲述东西部协作与移民搬迁让闽宁镇脱贫致富的历程，用于思政课案例教学",
    ),
    (
        "贺兰山东麓葡萄酒产业调查",
        "lesson-plan",
        ["wine-industry", "modern-agriculture"],
        "senior",
        ["geography"],
        ["g11"],
        "640100",
        "nx-yc-yz1",
        "综合实践活动设计：走访酒庄，分析光热、土壤与产业布局",
    ),
    (
        "中宁枸杞：从田间到市场",
        "material",
        ["goji", "modern-agriculture"],
        "primary",
        ["labour"],
        ["g5"],
        "640521",
        "nx-zw-zn-1z",
        "劳动教育案例：采摘、晾晒、分拣枸杞的图片、音频与任务单",
    ),
    (
        "西夏陵：探秘神秘的西夏文化",
        "courseware",
        ["xixia-culture", "cultural-tourism"],
        "junior",
        ["history"],
        ["g7"],
        "640105",
        "nx-yc-xx-1z",
        "结合西夏陵申遗成功，介绍西夏王朝的建筑、文字与民族交融",
    ),
    (
        "沙湖湿地的生态保护",
        "courseware",
        ["eco-protection"],
        "junior",
        ["biology"],
        ["g8"],
        "640221",
        "nx-szs-1z",
        "以沙湖候鸟与芦苇湿地为例，认识湿地生态系统的作用与保护措施",
    ),
    (
        "引黄灌溉与宁夏平原的农业",
        "micro-lecture",
        ["yellow-river", "modern-agriculture"],
        "junior",
        ["geography"],
        ["g8"],
        "640000",
        "nx-nxu",
        "“天下黄河富宁夏”：秦渠、汉渠、唐徕渠与现代节水灌溉",
    ),
    (
        "镇北堡西部影城：文化旅游研学手册",
        "study-guide",
        ["cultural-tourism"],
        "primary",
        ["practice"],
        ["g6"],
        "640105",
        "nx-yc-jf-21x",
        "研学旅行任务单：在古堡中寻找影视场景，了解明清边塞历史",
    ),
    (
        "盐池滩羊：现代农业与品牌建设",
        "material",
        ["modern-agriculture"],
        "senior",
        ["politics"],
        ["g10"],
        "640323",
        "nx-wz-wzzx",
        "用盐池滩羊的产业链数据，分析品牌建设与乡村振兴",
    ),
    (
        "黄河宁夏段水文与生态（虚拟仿真）",
        "simulation",
        ["yellow-river", "eco-protection"],
        "senior",
        ["geography"],
        ["g10"],
        "640000",
        "nx-nxnu",
        "在虚拟场景中测量流速、含沙量，比较青铜峡上下游的水文特征",
    ),
    (
        "六盘山森林生态系统野外考察",
        "experiment",
        ["liupan-mountains", "eco-protection"],
        "senior",
        ["biology"],
        ["g11"],
        "640424",
        "nx-nxnu",
        "样方法调查植物多样性的实验方案与记录表",
    ),
    (
        "红寺堡：生态移民的新家园",
        "courseware",
        ["resettlement"],
        "junior",
        ["geography"],
        ["g8"],
        "640303",
        "nx-wz-tx-1z",
        "对比移民前后的卫星影像，认识人口迁移与区域发展",
    ),
    (
        "宁夏风电与“西电东送”",
        "micro-lecture",
        ["new-energy"],
        "senior",
        ["physics"],
        ["g11"],
        "640000",
        "nx-alliance",
        "从电磁感应原理讲到宁夏的风电场和特高压输电",
    ),
    (
        "花儿与口弦：宁夏民族音乐欣赏",
        "material",
        ["ethnic-unity", "cultural-tourism"],
        "primary",
        ["music"],
        ["g4"],
        "640400",
        "nx-gy-yz-5x",
        "收录“花儿”演唱与口弦演奏的音频，配欣赏提示",
    ),
    (
        "治沙英雄白春兰的故事",
        "micro-lecture",
        ["desert-control", "red-culture"],
        "primary",
        ["morality-law"],
        ["g6"],
        "640323",
        "nx-wz-lt-2x",
        "讲述盐池治沙英雄扎根沙漠、植树造林的事迹",
    ),
    (
        "宁夏地方课程：家乡的黄河",
        "e-textbook",
        ["yellow-river"],
        "primary",
        ["practice"],
        ["g3"],
        "640000",
        "nx-alliance",
        "地方课程电子教材，介绍黄河流经宁夏的城市、水利工程与民俗",
    ),
]

# How each type of resource is named, what it is for, and which demo files it carries.
TYPE_STYLES = {
    "courseware": (
        "{ed}{gr}{subj}{vol}《{topic}》教学课件",
        "配套课堂讲授的演示课件，含情境导入、新知探究、课堂练习和小结",
        ("cover.png", "lesson.pdf"),
    ),
    "lesson-plan": (
        "{ed}{gr}{subj}{vol}《{topic}》教学设计",
        "完整的教学设计，包括学情分析、教学目标、重难点、教学过程与板书设计",
        ("worksheet.docx",),
    ),
    "study-guide": (
        "《{topic}》导学案（{gr}{subj}）",
        "供学生课前预习与课堂合作学习使用的导学案，分为自主学习、合作探究、达标检测三部分",
        ("worksheet.docx",),
    ),
    "micro-lecture": (
        "{gr}{subj}微课：{topic}",
        "约六分钟的微课视频，聚焦本课的一个重点或难点，适合课前预习和课后复习",
        ("microlesson.mp4", "cover.png"),
    ),
    "lesson-record": (
        "《{topic}》优质课课堂实录（{gr}{subj}）",
        "全区优质课评比获奖课例的课堂实录，附教学反思",
        ("microlesson.mp4",),
    ),
    "exercise": (
        "{ed}{gr}{subj}{vol}《{topic}》课时练习（含答案）",
        "分层设计的课时练习，基础题、提升题和拓展题各有侧重，附参考答案",
        ("worksheet.docx",),
    ),
    "exam": (
        "{gr}{subj}{vol}《{topic}》单元检测卷",
        "单元检测试卷及评分标准，题型与全区学业水平考试一致",
        ("lesson.pdf",),
    ),
    "material": (
        "《{topic}》教学素材包",
        "图片、音频等教学素材，教师可按需剪辑使用",
        ("cover.png", "reading.mp3"),
    ),
    "experiment": (
        "《{topic}》实验视频与实验报告单",
        "演示实验的操作视频与学生实验报告单，标注了安全注意事项",
        ("microlesson.mp4", "worksheet.docx"),
    ),
    "simulation": (
        "《{topic}》虚拟仿真实验",
        "可交互的虚拟仿真实验，学生可反复改变条件观察结果",
        ("cover.png",),
    ),
    "e-textbook": ("《{topic}》电子教材", "电子教材，可在电子白板和平板上使用", ("lesson.pdf",)),
}
SUBJECT_TYPES = {
    "chinese": [
        "courseware",
        "lesson-plan",
        "study-guide",
        "micro-lecture",
        "lesson-record",
        "exercise",
        "material",
    ],
    "english": ["courseware", "lesson-plan", "micro-lecture", "exercise", "material"],
    "physics": ["courseware", "lesson-plan", "micro-lecture", "experiment", "exam", "simulation"],
    "chemistry": ["courseware", "lesson-plan", "experiment", "exam", "simulation"],
    "biology": ["courseware", "lesson-plan", "experiment", "micro-lecture", "exam"],
    "science": ["courseware", "lesson-plan", "experiment", "micro-lecture"],
}
DEFAULT_TYPES = ["courseware", "lesson-plan", "study-guide", "micro-lecture", "exercise", "exam"]
LOCAL_EXAMPLES = [
    "银川的冬季气温",
    "贺兰山岩画",
    "沙湖",
    "六盘山",
    "中卫沙坡头",
    "青铜峡水利枢纽",
    "固原古城",
    "西吉县的梯田",
    "盐池滩羊",
    "中宁枸杞",
]
LICENSES = (
    ["CC-BY-4.0"] * 3
    + ["CC-BY-NC-4.0"] * 3
    + ["CC-BY-NC-SA-4.0", "CC-BY-SA-4.0", "all-rights-reserved"]
)
TEACHERS = [
    "马晓燕",
    "李建国",
    "王海霞",
    "张志强",
    "杨丽娟",
    "丁学文",
    "海俊",
    "周敏",
    "刘芳",
    "田玉梅",
    "冯国庆",
    "苏红",
    "马金花",
    "何新宇",
    "白雪",
    "虎永军",
]


@dataclass
class DemoResource:
    """One record to seed: the resource input, the owning org, the files and the state to bring it
    to."""

    data: dict
    files: tuple[str, ...]
    status: str = "published"
    days_ago: int = 0
    downloads: int = 0
    extra: dict = field(default_factory=dict)


def build_catalogue(labels: dict, seed: int = 2024) -> list[DemoResource]:
    """Every demo record. `labels` maps vocabulary name -> {code: Chinese label}."""
    rng = random.Random(seed)
    items = [item for row in TEXTBOOK for item in _textbook_items(rng, labels, row)]
    items += [_themed_item(rng, labels, row) for row in THEMED]
    for item in items:
        _assign_lifecycle(rng, item)
    return items


def _textbook_items(rng, labels, row) -> list[DemoResource]:
    subject, stage, edition, grade, volume, org, topics = row
    names = _names(labels, subject, edition, grade, volume)
    out = []
    for topic in topics:
        count = 2 if rng.random() < 0.45 else 1
        for type_ in rng.sample(SUBJECT_TYPES.get(subject, DEFAULT_TYPES), count):
            template, purpose, files = TYPE_STYLES[type_]
            title = template.format(topic=topic, **names)
            description = (
                f"本资源依据{names['ed']}{names['subj']}教材{names['gr']}{names['vol']}“{topic}”一课编写。"
                f"{purpose}。教学中结合宁夏本地实例（如{rng.choice(LOCAL_EXAMPLES)}）帮助学生理解，"
                f"适合{labels['stages'][stage]}{names['gr']}课堂教学使用。"
            )
            data = _record(
                rng,
                labels,
                title=title,
                description=description,
                stage=stage,
                subjects=[subject],
                grades=[grade],
                edition=edition,
                volume=volume,
                chapter=topic,
                type_=type_,
                themes=[],
                org=org,
                keywords=[topic.strip("《》"), names["subj"], names["gr"], labels["types"][type_]],
            )
            out.append(DemoResource(data=data, files=files))
    return out


def _themed_item(rng, labels, row) -> DemoResource:
    title, type_, themes, stage, subjects, grades, region, org, about = row
    suffix = {
        "micro-lecture": "（微课）",
        "lesson-plan": "（教学设计）",
        "material": "",
        "courseware": "（课件）",
        "study-guide": "",
        "simulation": "",
        "experiment": "（实验方案）",
        "e-textbook": "",
    }[type_]
    theme_names = "、".join(labels["themes"][t] for t in themes)
    description = (
        f"{about}。本资源属于“{theme_names}”地方特色主题，"
        "由宁夏数字教育资源共建共享联盟成员单位开发，"
        f"可用于{labels['stages'][stage]}{labels['subjects'][subjects[0]]}课堂、"
        "综合实践活动和研学旅行。"
    )
    keywords = [labels["themes"][t] for t in themes] + [
        labels["regions"][region],
        labels["types"][type_],
    ]
    data = _record(
        rng,
        labels,
        title=title + suffix,
        description=description,
        stage=stage,
        subjects=subjects,
        grades=grades,
        edition="local",
        volume=None,
        chapter=None,
        type_=type_,
        themes=themes,
        org=org,
        keywords=keywords,
        region=region,
    )
    return DemoResource(data=data, files=TYPE_STYLES[type_][2])


def _record(
    rng,
    labels,
    *,
    title,
    description,
    stage,
    subjects,
    grades,
    edition,
    volume,
    chapter,
    type_,
    themes,
    org,
    keywords,
    region=None,
) -> dict:
    data = {
        "title": title,
        "description": description,
        "language": "zh",
        "stage": stage,
        "subjects": subjects,
        "grades": grades,
        "edition": edition,
        "volume": volume,
        "chapter": chapter,
        "type": type_,
        "themes": themes,
        "keywords": list(dict.fromkeys(k for k in keywords if k)),
        "license": rng.choice(LICENSES),
        "creators": _creators(rng),
        "org": org,
    }
    if region:
        data["region"] = region
    return {k: v for k, v in data.items() if v is not None}


def _creators(rng) -> list:
    people = rng.sample(TEACHERS, rng.choice([1, 1, 2]))
    return [
        {"name": name, "role": "author" if i == 0 else "designer"} for i, name in enumerate(people)
    ]


def _names(labels, subject, edition, grade, volume) -> dict:
    return {
        "ed": labels["editions"][edition] if edition != "local" else "",
        "subj": labels["subjects"][subject],
        "gr": labels["grades"][grade],
        "vol": labels["volumes"][volume] if volume else "",
    }


def _assign_lifecycle(rng, item: DemoResource) -> None:
    """Most published and public; some for a region or one school; a few waiting in the review
    queue."""
    roll = rng.random()
    item.status = (
        "draft"
        if roll < 0.04
        else "submitted"
        if roll < 0.10
        else "rejected"
        if roll < 0.12
        else "published"
    )
    vis = rng.random()
    item.data["visibility"] = "org" if vis < 0.05 else "region" if vis < 0.15 else "public"
    item.days_ago = rng.randint(0, 730) if item.status == "published" else rng.randint(0, 30)
    # Downloads are skewed as they are in life: most resources few, a handful very many.
    item.downloads = int(rng.paretovariate(1.3) * 20) - 20 if item.status == "published" else 0
