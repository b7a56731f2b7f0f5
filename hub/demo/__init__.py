"""The demo data set: Ningxia's organisations, demo users and realistic resources with real files.

Everything goes through the services (accounts, resources, files), so rules, audit, outbox and
changes apply. Seeding is idempotent: organisations, users and resources (by organisation and
title) that exist are skipped.
"""

from __future__ import annotations

import io
import random
import secrets
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import bindparam, select, update

from hub.db.base import utcnow
from hub.db.models import Organisation, Resource, User
from hub.demo.catalogue import build_catalogue
from hub.demo.files import demo_file
from hub.demo.register import demo_register
from hub.security.principal import SYSTEM

# (code, name, kind, parent code, region); a school takes its county's region.
ORGS = [
    ("nx", "宁夏回族自治区教育厅", "province", None, "640000"),
    ("nx-yc", "银川市教育局", "city", "nx", "640100"),
    ("nx-yc-xq", "银川市兴庆区教育局", "county", "nx-yc", "640104"),
    ("nx-yc-jf", "银川市金凤区教育局", "county", "nx-yc", "640106"),
    ("nx-yc-xx", "银川市西夏区教育局", "county", "nx-yc", "640105"),
    ("nx-szs", "石嘴山市教育局", "city", "nx", "640200"),
    ("nx-szs-dwk", "石嘴山市大武口区教育局", "county", "nx-szs", "640202"),
    ("nx-wz", "吴忠市教育局", "city", "nx", "640300"),
    ("nx-wz-lt", "吴忠市利通区教育局", "county", "nx-wz", "640302"),
    ("nx-wz-tx", "同心县教育局", "county", "nx-wz", "640324"),
    ("nx-gy", "固原市教育局", "city", "nx", "640400"),
    ("nx-gy-yz", "固原市原州区教育局", "county", "nx-gy", "640402"),
    ("nx-gy-xj", "西吉县教育局", "county", "nx-gy", "640422"),
    ("nx-zw", "中卫市教育局", "city", "nx", "640500"),
    ("nx-zw-sp", "中卫市沙坡头区教育局", "county", "nx-zw", "640502"),
    ("nx-zw-zn", "中宁县教育局", "county", "nx-zw", "640521"),
    ("nx-zw-hy", "海原县教育局", "county", "nx-zw", "640522"),
    ("nx-yc-yz1", "银川市第一中学", "school", "nx-yc-xq", None),
    ("nx-yc-xq-hm2x", "银川市兴庆区回民第二小学", "school", "nx-yc-xq", None),
    ("nx-yc-jf-21x", "银川市第二十一小学", "school", "nx-yc-jf", None),
    ("nx-yc-xx-1z", "银川市西夏区第一中学", "school", "nx-yc-xx", None),
    ("nx-szs-1z", "石嘴山市第一中学", "school", "nx-szs-dwk", None),
    ("nx-szs-dwk-2x", "石嘴山市大武口区第二小学", "school", "nx-szs-dwk", None),
    ("nx-wz-wzzx", "吴忠中学", "school", "nx-wz-lt", None),
    ("nx-wz-lt-2x", "吴忠市利通区第二小学", "school", "nx-wz-lt", None),
    ("nx-wz-tx-1z", "同心县第一中学", "school", "nx-wz-tx", None),
    ("nx-gy-1z", "固原市第一中学", "school", "nx-gy-yz", None),
    ("nx-gy-yz-5x", "固原市原州区第五小学", "school", "nx-gy-yz", None),
    ("nx-gy-xj-jtb", "西吉县将台堡中学", "school", "nx-gy-xj", None),
    ("nx-zw-1z", "中卫市第一中学", "school", "nx-zw-sp", None),
    ("nx-zw-sp-3x", "中卫市沙坡头区第三小学", "school", "nx-zw-sp", None),
    ("nx-zw-zn-1z", "中宁县第一中学", "school", "nx-zw-zn", None),
    ("nx-zw-hy-1z", "海原县第一中学", "school", "nx-zw-hy", None),
    ("nx-alliance", "宁夏数字教育资源共建共享联盟", "alliance", "nx", "640000"),
    ("nx-nxu", "宁夏大学", "school", "nx-alliance", "640106"),
    ("nx-nxnu", "宁夏师范学院", "school", "nx-alliance", "640402"),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    org: str | None = None
    role: str | None = None
    is_admin: bool = False
    password: str = ""  # set only in a SeedReport, for the one time it is printed


# No fixed passwords: seed-demo generates each one, prints it once and flags it, and /admin shows a
# banner until every demo account has had its password changed (`eduhub users set-password`).
USERS = [
    DemoUser("admin@example.edu.cn", "系统管理员", is_admin=True),
    DemoUser("contributor@example.edu.cn", "马晓燕", "nx-yc-yz1", "contributor"),
    DemoUser("editor@example.edu.cn", "资源建设办公室", "nx", "contributor"),
    DemoUser("reviewer@example.edu.cn", "李建国", "nx", "reviewer"),
    DemoUser("teacher@example.edu.cn", "王海霞", "nx-wz-lt-2x", "teacher"),
]
REJECT_COMMENT = (
    "请补充教学反思，并核对图片的版权信息后重新提交。"
    "Please add a reflection and check image rights."
)


@dataclass
class SeedReport:
    orgs: int = 0
    users: list[DemoUser] = field(default_factory=list)
    resources: int = 0
    files: int = 0
    skipped: int = 0

    @property
    def added_anything(self) -> bool:
        return bool(self.orgs or self.users or self.resources)


def seed_demo(hub, *, progress=None, limit: int | None = None) -> SeedReport:
    """Load the demo data set; `progress(iterable, total)` wraps the resource loop (e.g. tqdm).
    `limit` seeds an even sample of that many resources (tests, quick looks)."""
    report = SeedReport()
    report.orgs = _seed_orgs(hub) + _seed_register(hub)
    report.users = _seed_users(hub)
    items = _pending_items(hub, report, limit)
    actors = {u.email: hub.accounts.principal_for_email(u.email) for u in USERS}
    loop = progress(items, len(items)) if progress else items
    dates = []
    # One wake-up of the outbox worker at the end instead of one per transaction (about a thousand).
    with hub.tasks.wakes_held():
        for serial, item in enumerate(loop, start=1):
            resource_id = _seed_resource(hub, item, actors, serial, report)
            dates.append(_backdate(resource_id, item))
        _apply_dates(hub, dates)
    return report


def _seed_orgs(hub) -> int:
    with hub.db.session() as session:
        existing = set(session.scalars(select(Organisation.code)))
    added = 0
    for code, name, kind, parent, region in ORGS:
        if code not in existing:
            hub.accounts.create_org(
                SYSTEM, code=code, name=name, kind=kind, parent=parent, region=region
            )
            added += 1
    return added


def _seed_register(hub) -> int:
    """All 22 counties and example schools in each, through the register import (one file)."""
    data = demo_register(hub.vocabularies)
    report = hub.register.import_file(SYSTEM, data, "demo-register.csv")
    if report.failed:  # the demo's own file: a failure is a bug in it, not the user's doing
        raise RuntimeError(f"demo register rejected: {report.failed[:3]}")
    return len(report.created)


def _seed_users(hub) -> list[DemoUser]:
    """Create the missing demo users with fresh random passwords, flagged as seeded."""
    with hub.db.session() as session:
        existing = set(session.scalars(select(User.email)))
    added = []
    for user in USERS:
        if user.email not in existing:
            password = generate_password()
            hub.accounts.create_user(
                SYSTEM,
                email=user.email,
                password=password,
                name=user.name,
                is_admin=user.is_admin,
                org=user.org,
                role=user.role,
            )
            added.append(replace(user, password=password))
    _flag_seeded(hub, [u.email for u in added])
    return added


def generate_password() -> str:
    """About 60 random bits in three groups a person can type: 'k3vq-9xme-2tfa'."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def _flag_seeded(hub, emails: list[str]) -> None:
    if not emails:
        return
    with hub.db.session() as session:
        session.execute(update(User).where(User.email.in_(emails)).values(seeded_password=True))
        session.commit()


def _pending_items(hub, report: SeedReport, limit: int | None = None) -> list:

    items = build_catalogue(_labels(hub))
    if limit:
        items = items[:: max(len(items) // limit, 1)][:limit]
    with hub.db.session() as session:
        rows = session.execute(
            select(Organisation.code, Resource.title)
            .join(Organisation, Resource.org_id == Organisation.id)
            .where(Organisation.code.in_([o[0] for o in ORGS]))
        )
        existing = {(code, title) for code, title in rows}
    pending = [i for i in items if (i.data["org"], i.data["title"]) not in existing]
    report.skipped = len(items) - len(pending)
    return pending


def _labels(hub) -> dict:
    names = ("stages", "subjects", "grades", "editions", "volumes", "types", "themes", "regions")
    return {n: {t.code: t.zh for t in hub.vocabularies.get(n)} for n in names}


def _seed_resource(hub, item, actors, serial: int, report: SeedReport) -> str:

    owner = actors[
        "contributor@example.edu.cn" if item.data["org"] == "nx-yc-yz1" else "editor@example.edu.cn"
    ]
    record = hub.resources.create(owner, item.data)
    topic = item.data.get("chapter") or item.data["title"]
    for asset_name in item.files:
        name, data = demo_file(asset_name, item.data["title"], topic, serial)
        hub.files.upload(owner, record["id"], name, io.BytesIO(data), content_length=len(data))
        report.files += 1
    if item.status != "draft":
        hub.resources.act(owner, record["id"], "submit")
    reviewer = actors["reviewer@example.edu.cn"]
    if item.status == "published":
        hub.resources.act(reviewer, record["id"], "publish", comment="内容准确，同意发布。")
    elif item.status == "rejected":
        hub.resources.act(reviewer, record["id"], "reject", comment=REJECT_COMMENT)
    report.resources += 1
    return record["id"]


def _backdate(resource_id: str, item) -> dict:
    """Spread the records over the past two years, as a hub in use for that long would have them."""
    rng = random.Random(resource_id)
    created = utcnow() - timedelta(
        days=item.days_ago, hours=rng.randint(0, 23), minutes=rng.randint(0, 59)
    )
    published = (
        created + timedelta(hours=rng.randint(2, 72)) if item.status == "published" else None
    )
    if published is not None and published > utcnow():
        published = utcnow()
    return {
        "rid": resource_id,
        "created": created,
        "updated": published or created,
        "published": published,
        "downloads": item.downloads,
    }


def _apply_dates(hub, dates: list[dict]) -> None:
    if not dates:
        return
    statement = (
        update(Resource.__table__)
        .where(Resource.__table__.c.id == bindparam("rid"))
        .values(
            created=bindparam("created"),
            updated=bindparam("updated"),
            published=bindparam("published"),
            downloads=bindparam("downloads"),
        )
    )
    with hub.db.engine.begin() as connection:
        connection.execute(statement, dates)
