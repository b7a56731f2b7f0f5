"""The audit log: who did what to which record, when; readable by administrators only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from hub.db.models import AuditEntry
from hub.errors import Forbidden, Unauthenticated, ValidationFailed
from hub.security.principal import Principal

MAX_SIZE = 100


@dataclass
class AuditPage:
    entries: list[dict]
    total: int
    page: int
    size: int

    @property
    def has_next(self) -> bool:
        return self.page * self.size < self.total


class AuditService:
    def __init__(self, db):
        self.db = db

    def list(
        self,
        actor: Principal,
        *,
        action: str | None = None,
        actor_email: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page: int = 1,
        size: int = 50,
    ) -> AuditPage:
        """Entries newest first. `action` may end in '*' ("resource.*"); `target` is "TYPE:ID",
        "TYPE:" or "ID"."""
        _require_admin(actor)
        page, size = _check_paging(page, size)
        conditions = _conditions(action, actor_email, target, since, until)
        with self.db.session() as session:
            total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
            rows = session.scalars(
                select(AuditEntry)
                .where(*conditions)
                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                .offset((page - 1) * size)
                .limit(size)
            ).all()
            return AuditPage([entry_to_dict(row) for row in rows], total, page, size)


def entry_to_dict(entry: AuditEntry) -> dict:
    return {
        "id": entry.id,
        "at": entry.at,
        "actor": entry.actor,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "ip": entry.ip,
        "details": entry.details or {},
    }


def _require_admin(actor: Principal) -> None:
    if not actor.is_authenticated and not actor.is_admin:
        raise Unauthenticated("请先登录或提供有效的令牌。Please log in or send a valid API token.")
    if not actor.is_admin:
        raise Forbidden(
            "只有管理员可以查看审计日志，请联系平台管理员。"
            "Only administrators may read the audit log; ask your hub's administrator."
        )


def _check_paging(page: int, size: int) -> tuple[int, int]:
    errors = {}
    if page < 1:
        errors["page"] = ["页码从 1 开始。Pages start at 1."]
    if not 1 <= size <= MAX_SIZE:
        errors["size"] = [f"每页 1 到 {MAX_SIZE} 条。Between 1 and {MAX_SIZE} entries a page."]
    if errors:
        raise ValidationFailed.from_messages(errors)
    return page, size


def _conditions(action, actor_email, target, since, until) -> list:
    conditions = []
    if action:
        conditions.append(
            AuditEntry.action.startswith(action[:-1], autoescape=True)
            if action.endswith("*")
            else AuditEntry.action == action
        )
    if actor_email:
        conditions.append(func.lower(AuditEntry.actor) == actor_email.strip().lower())
    if target:
        conditions.extend(_target_conditions(target))
    if since is not None:
        conditions.append(AuditEntry.at >= since)
    if until is not None:
        conditions.append(AuditEntry.at < until)
    return conditions


def _target_conditions(target: str) -> list:
    if ":" not in target:
        return [AuditEntry.target_id == target]
    target_type, _, target_id = target.partition(":")
    conditions = [AuditEntry.target_type == target_type]
    if target_id:
        conditions.append(AuditEntry.target_id == target_id)
    return conditions
