"""User lists imported from CSV/XLSX all or nothing: accounts without passwords, each new one with a
one-time set-password link (printed by the caller or mailed here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select

from hub.db.models.accounts import ROLES, Membership, Organisation, PasswordLink, User
from hub.mail import Mailer, Message
from hub.security.principal import Principal
from hub.services.accounts import EMAIL_RE
from hub.services.orgs_files import read_rows
from hub.services.orgs_import import require_admin
from hub.services.password_links import NO_PASSWORD, PasswordLinkService, new_token
from hub.services.tokens import normalise_email

EMAIL_MAX = 254
COLUMNS = {
    **dict.fromkeys(("email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件"), "email"),
    **dict.fromkeys(("name", "姓名", "名字"), "name"),
    **dict.fromkeys(("org", "org_code", "organisation", "机构代码", "学校代码", "机构"), "org"),
    **dict.fromkeys(("role", "角色"), "role"),
}
ROLE_WORDS = {
    "教师": "teacher",
    "贡献者": "contributor",
    "审核员": "reviewer",
    "机构管理员": "org_admin",
}
CHUNK = 2000


@dataclass(frozen=True)
class UserRow:
    email: str
    name: str
    org: str
    role: str


@dataclass
class UserImportReport:
    created: list[tuple[int, str]] = field(default_factory=list)
    updated: list[tuple[int, str]] = field(default_factory=list)
    unchanged: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str, str]] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # e-mail -> set-password URL
    unsent: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, why the mail failed)
    applied: bool = False

    def counts(self) -> dict[str, int]:
        kinds = ("created", "updated", "unchanged", "failed")
        return {k: len(getattr(self, k)) for k in kinds}


class RowProblem(ValueError):
    """A row that cannot be imported; the message says why, in both languages."""


def parse_user_row(values: dict[str, str], orgs: set[str]) -> UserRow:
    email = normalise_email(values.get("email", ""))
    if not EMAIL_RE.fullmatch(email) or len(email) > EMAIL_MAX:
        raise RowProblem(f"邮箱 '{email}' 无效。The e-mail '{email}' is not a valid address.")
    org = values.get("org", "")
    if org not in orgs:
        raise RowProblem(
            f"没有代码为 '{org}' 的机构，请先导入名册（eduhub orgs import）。"
            f"No organisation has the code '{org}': import the register first (eduhub orgs import)."
        )
    role = values.get("role", "").strip()
    role = ROLE_WORDS.get(role, role.lower() or "teacher")
    if role not in ROLES:
        raise RowProblem(
            f"角色 '{role}' 须为 {', '.join(ROLES)} 之一。The role '{role}' is not one of: "
            f"{', '.join(ROLES)}."
        )
    name = values.get("name", "")
    if len(name) > 200:
        raise RowProblem("姓名不能超过 200 字。The name must be at most 200 characters.")
    return UserRow(email, name, org, role)


@dataclass
class Existing:
    """The hub's accounts as the import needs them: by e-mail, their names and (org, role)s."""

    users: dict[str, tuple[int, str]]
    roles: set[tuple[str, str, str]]
    orgs: dict[str, int]


class UserImportService:
    def __init__(self, uow, db, links: PasswordLinkService, mailer: Mailer):
        self.uow, self.db, self.links, self.mailer = uow, db, links, mailer

    def import_file(
        self, actor: Principal, data: bytes, filename: str, *, apply=True, send=False
    ) -> UserImportReport:
        """Check every row; write them all only if none failed; then mail the links if `send`."""
        require_admin(actor)
        existing = self._existing()
        report, rows, orgs = UserImportReport(), [], set(existing.orgs)
        for row in read_rows(data, filename, COLUMNS):
            try:
                rows.append((row.line, parse_user_row(row.values, orgs)))
            except RowProblem as exc:
                report.failed.append((row.line, row.values.get("email", ""), str(exc)))
        rows = _classify(rows, existing, report)
        if report.failed or not apply:
            return report
        if report.created or report.updated:
            self._apply(actor, rows, existing, report, filename)
        report.applied = True
        if send:
            self._send(report)
        return report

    def _existing(self) -> Existing:
        with self.db.session() as session:
            users = {
                e: (i, n) for i, e, n in session.execute(select(User.id, User.email, User.name))
            }
            roles = session.execute(
                select(User.email, Organisation.code, Membership.role)
                .join(Membership, Membership.user_id == User.id)
                .join(Organisation, Organisation.id == Membership.org_id)
            )
            orgs = dict(session.execute(select(Organisation.code, Organisation.id)).all())
            return Existing(users, {tuple(r) for r in roles}, orgs)

    def _apply(self, actor, rows, existing: Existing, report, filename: str) -> None:
        created = {email for _, email in report.created}
        with self.uow(actor) as uow:
            session = uow.session
            new = [r for _, r in rows if r.email in created]
            _insert_chunked(session, User, [_user_values(r) for r in new])
            ids = _ids_by_email(session, [r.email for r in new])
            _rename(session, rows, existing, created)
            memberships = _new_memberships(rows, existing, ids)
            _insert_chunked(session, Membership, memberships)
            links = []
            for row in new:
                token, digest = new_token()
                report.links[row.email] = self.links.url(token)
                links.append(
                    {
                        "user_id": ids[row.email],
                        "token_hash": digest,
                        "expires": self.links.expiry(),
                    }
                )
            _insert_chunked(session, PasswordLink, links)
            uow.audit(
                "user.import",
                "user",
                None,
                file=filename,
                created=len(report.created),
                updated=len(report.updated),
                unchanged=len(report.unchanged),
            )
            uow.commit()

    def send_link(self, email: str, url: str) -> None:
        """Mail one link; OSError (every smtplib error is one) when it could not be sent."""
        self.mailer.send(invitation(email, url, self.links.config.set_password_days))

    def _send(self, report: UserImportReport) -> None:
        for email, url in report.links.items():
            try:
                self.send_link(email, url)
            except OSError as exc:  # report it and keep sending the rest
                report.unsent.append((email, str(exc)))


def invitation(email: str, url: str, days: int) -> Message:
    return Message(
        to=email,
        subject="请设置您的 EduHub 密码 Set your EduHub password",
        body=(
            f"您好！已为您（{email}）开通 EduHub 账号。请在 {days} 天内打开下面的链接设置密码，"
            f"链接只能使用一次：\n{url}\n\n"
            f"An EduHub account has been opened for you ({email}). Open the link within {days} "
            f"days to set your password; it works once:\n{url}\n"
        ),
    )


def _classify(rows, existing: Existing, report: UserImportReport) -> list:
    first: dict[str, int] = {}
    kept = []
    for line, row in rows:
        if row.email in first:
            report.failed.append(
                (
                    line,
                    row.email,
                    f"邮箱 {row.email} 与第 {first[row.email]} 行重复。"
                    f"The e-mail {row.email} is also on line {first[row.email]}.",
                )
            )
            continue
        first[row.email] = line
        kept.append((line, row))
        before = existing.users.get(row.email)
        if before is None:
            report.created.append((line, row.email))
        elif (row.email, row.org, row.role) in existing.roles and row.name in ("", before[1]):
            report.unchanged.append((line, row.email))
        else:
            report.updated.append((line, row.email))
    return kept


def _user_values(row: UserRow) -> dict:
    return {"email": row.email, "name": row.name, "password_hash": NO_PASSWORD}


def _insert_chunked(session, model, rows: list[dict]) -> None:
    # The table, not the ORM class: tens of thousands of rows without the ORM's bookkeeping.
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model.__table__), rows[start : start + CHUNK])


def _ids_by_email(session, emails: list[str]) -> dict[str, int]:
    ids = {}
    for start in range(0, len(emails), CHUNK):
        part = emails[start : start + CHUNK]
        ids.update(session.execute(select(User.email, User.id).where(User.email.in_(part))).all())
    return ids


def _rename(session, rows, existing: Existing, created: set[str]) -> None:
    for _, row in rows:
        before = existing.users.get(row.email)
        if before is not None and row.name and row.name != before[1]:
            session.get(User, before[0]).name = row.name


def _new_memberships(rows, existing: Existing, ids: dict[str, int]) -> list[dict]:
    out = []
    for _, row in rows:
        if (row.email, row.org, row.role) not in existing.roles:
            user_id = ids.get(row.email) or existing.users[row.email][0]
            out.append({"user_id": user_id, "org_id": existing.orgs[row.org], "role": row.role})
    return out
