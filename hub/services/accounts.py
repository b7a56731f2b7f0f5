"""Accounts: users, their roles in organisations, password log-in, the principals requests run as.

Organisations, tokens and the account lifecycle live in `orgs.py`, `tokens.py` and `lifecycle.py`,
mixed into the one AccountService.
"""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from hub.db.models.accounts import ROLES, Membership, Organisation, User
from hub.errors import Conflict, Forbidden, Unauthenticated, ValidationFailed
from hub.security import passwords
from hub.security import scopes as scope_rules
from hub.security.principal import Principal, Role
from hub.security.throttle import LoginThrottle, storage_url
from hub.services.lifecycle import LifecycleOperations
from hub.services.orgs import OrgOperations, org_by_code, require_authenticated
from hub.services.password_links import NO_PASSWORD
from hub.services.tokens import TokenOperations, normalise_email, user_by_email

EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LOGIN_FAILED = "邮箱或密码不正确。The email or password is not correct."


def user_to_dict(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "is_admin": user.is_admin,
        "is_active": user.is_active,
        "created": user.created,
        "memberships": [membership_to_dict(m) for m in user.memberships],
    }


def membership_to_dict(m: Membership) -> dict:
    return {"org": m.org.code, "org_name": m.org.name, "role": m.role}


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_messages({field: [message]})


def validate_new_user(email: str, password: str, name: str) -> None:
    if not EMAIL_RE.fullmatch(email) or len(email) > 254:
        raise _invalid(
            "email",
            "请填写有效的邮箱地址，例如 teacher@school.cn。"
            "Give a valid email address, e.g. teacher@school.cn.",
        )
    if len(name or "") > 200:
        raise _invalid("name", "姓名不能超过 200 字。The name must be at most 200 characters.")
    passwords.check(password)


def check_role(role: str) -> None:
    if role not in ROLES:
        raise _invalid(
            "role",
            f"角色须为以下之一：{', '.join(ROLES)}。The role must be one of: {', '.join(ROLES)}.",
        )


def check_may_manage(actor: Principal, org: Organisation | None) -> None:
    """Admins manage everyone; an org_admin manages the people of their organisation's subtree."""
    scope_rules.require(actor.scopes, "admin")
    if actor.is_admin:
        return
    if org is None or not actor.has_role_over(org.path, "org_admin"):
        raise Forbidden(
            "只有管理员或该机构的机构管理员可以管理其用户。"
            "Only an administrator, or an org_admin of that organisation, can manage its users."
        )


class AccountService(OrgOperations, TokenOperations, LifecycleOperations):
    def __init__(self, uow, db, config, vocabularies):
        self.uow, self.db, self.config = uow, db, config
        self.vocabularies = vocabularies
        self.throttle = LoginThrottle(storage_url(config.broker_url))

    @property
    def _testing(self) -> bool:
        return bool(self.config.testing)

    # -- users and memberships ------------------------------------------------------------------

    def create_user(
        self,
        actor: Principal,
        *,
        email: str,
        password: str,
        name: str = "",
        is_admin: bool = False,
        org: str | None = None,
        role: str | None = None,
    ) -> dict:
        require_authenticated(actor)
        email = normalise_email(email)
        validate_new_user(email, password, name)
        if role and not org:
            raise _invalid(
                "org", "指定角色时须同时指定机构。Give the organisation the role is held in (org)."
            )
        role = role or ("teacher" if org else None)
        if role:
            check_role(role)
        if is_admin and not actor.is_admin:
            raise Forbidden(
                "只有管理员可以创建管理员。Only an administrator can create another administrator."
            )
        # Hashing takes a moment by design: do it before holding a connection.
        password_hash = passwords.hash_password(password, testing=self._testing)
        with self.uow(actor) as uow:
            org_row = org_by_code(uow.session, org) if org else None
            check_may_manage(actor, org_row)
            if uow.session.scalar(select(User.id).where(User.email == email)) is not None:
                raise _duplicate_email(email)
            user = User(
                email=email,
                name=(name or "").strip(),
                is_admin=bool(is_admin),
                password_hash=password_hash,
            )
            if org_row is not None:
                user.memberships.append(Membership(org=org_row, role=role))
            uow.session.add(user)
            uow.session.flush()
            uow.audit(
                "user.create",
                "user",
                user.id,
                email=email,
                is_admin=user.is_admin,
                org=org,
                role=role,
            )
            if org_row is not None:
                uow.audit("membership.add", "user", user.id, email=email, org=org, role=role)
            result = user_to_dict(user)
            self._commit(uow, _duplicate_email(email))
            return result

    def add_membership(self, actor: Principal, *, email: str, org: str, role: str) -> dict:
        require_authenticated(actor)
        check_role(role)
        with self.uow(actor) as uow:
            org_row = org_by_code(uow.session, org)
            check_may_manage(actor, org_row)
            user = user_by_email(uow.session, email)
            if any(m.org_id == org_row.id and m.role == role for m in user.memberships):
                raise _duplicate_membership(user.email, org, role)
            membership = Membership(org=org_row, role=role)
            user.memberships.append(membership)
            uow.audit("membership.add", "user", user.id, email=user.email, org=org, role=role)
            result = {"user": user.email, **membership_to_dict(membership)}
            self._commit(uow, _duplicate_membership(user.email, org, role))
            return result

    def list_users(self, actor: Principal, *, org: str | None = None) -> list[dict]:
        """Admins see everyone; an org_admin sees the members of their subtree."""
        require_authenticated(actor)
        with self.db.session() as session:
            query = select(User).order_by(User.email)
            if org:
                org_row = org_by_code(session, org)
                check_may_manage(actor, org_row)
                paths = [org_row.path]
            elif actor.is_admin:
                return [user_to_dict(u) for u in session.scalars(query).all()]
            else:
                paths = [r.org_path for r in actor.roles if r.role == "org_admin"]
                if not paths:
                    check_may_manage(actor, None)
            members = (
                select(Membership.user_id)
                .join(Organisation, Membership.org_id == Organisation.id)
                .where(or_(*(Organisation.path.like(p + "%") for p in paths)))
            )
            return [
                user_to_dict(u) for u in session.scalars(query.where(User.id.in_(members))).all()
            ]

    def count_users(self, actor: Principal) -> int:
        """How many accounts the hub has (one COUNT, for the admin dashboard): admins only."""
        require_authenticated(actor)
        if not actor.is_admin:
            check_may_manage(actor, None)
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(User))

    def get_user(self, actor: Principal) -> dict:
        """The actor's own account (GET /users/me)."""
        require_authenticated(actor)
        with self.db.session() as session:
            user = session.get(User, actor.user_id) if actor.user_id is not None else None
            if user is None:
                raise Unauthenticated(
                    "请先登录或提供有效的令牌。Please log in or send a valid API token."
                )
            return user_to_dict(user)

    # -- log-in and principals -------------------------------------------------------------------

    def authenticate_password(
        self, email: str, password: str, *, ip: str | None = None
    ) -> Principal:
        """The user's principal, or Unauthenticated with the same words whatever was wrong."""
        email = normalise_email(email)
        self.throttle.check(email, ip)
        with self.uow(Principal(ip=ip)) as uow:
            user = uow.session.scalar(select(User).where(User.email == email))
            # Verify even for an unknown email (or an imported account that has not set its
            # password yet), so every failure takes about as long.
            has_password = user is not None and user.password_hash != NO_PASSWORD
            stored = (
                user.password_hash if has_password else passwords.dummy_hash(testing=self._testing)
            )
            ok = (
                passwords.verify_password(stored, password or "")
                and has_password
                and user.is_active
            )
            if not ok:
                uow.audit("user.login_failed", "user", user.id if user else None, email=email)
                uow.commit()
                self.throttle.failed(email, ip)
                raise Unauthenticated(LOGIN_FAILED)
            if passwords.needs_rehash(user.password_hash, testing=self._testing):
                user.password_hash = passwords.hash_password(password, testing=self._testing)
            principal = self.principal_for(user, ip=ip)
            uow.actor = principal
            uow.audit("user.login", "user", user.id, email=email)
            uow.commit()
            self.throttle.succeeded(email, ip)
            return principal

    def principal_for_user_id(self, user_id: int, *, ip: str | None = None) -> Principal | None:
        with self.db.session() as session:
            user = session.get(User, user_id)
            return self.principal_for(user, ip=ip) if user is not None and user.is_active else None

    def principal_for_session(
        self, user_id: int, version: int, *, ip: str | None = None
    ) -> Principal | None:
        """The user of a session cookie, or None once disabled or the password changed since."""
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is None or not user.is_active or user.session_version != version:
                return None
            return self.principal_for(user, ip=ip)

    def principal_for_email(self, email: str) -> Principal:
        with self.db.session() as session:
            return self.principal_for(user_by_email(session, email))

    @staticmethod
    def principal_for(user: User, *, ip: str | None = None, token=None) -> Principal:
        """The user as a caller; with `token`, limited to its scopes (admin only with `admin`)."""
        roles = tuple(
            Role(org_id=m.org_id, org_path=m.org.path, region=m.org.region, role=m.role)
            for m in user.memberships
        )
        scopes = frozenset(token.scopes.split()) if token is not None else None
        return Principal(
            user_id=user.id,
            email=user.email,
            is_admin=user.is_admin and (scopes is None or "admin" in scopes),
            roles=roles,
            ip=ip,
            name=user.name,
            scopes=scopes,
            token_expires=token.expires if token is not None else None,
            session_version=user.session_version,
        )

    @staticmethod
    def _commit(uow, conflict: Conflict) -> None:
        """Commit; a unique constraint lost to a concurrent writer is the same conflict."""
        try:
            uow.commit()
        except IntegrityError:
            raise conflict from None


def _duplicate_email(email: str) -> Conflict:
    return Conflict(
        f"邮箱 {email} 已注册，请换一个邮箱或直接登录。The email {email} is already registered: "
        f"log in or use another email.",
        errors=[{"field": "email", "messages": ["already exists"]}],
    )


def _duplicate_membership(email: str, org: str, role: str) -> Conflict:
    return Conflict(
        f"{email} 在 {org} 已有角色 {role}。{email} already holds the role '{role}' in '{org}'."
    )
