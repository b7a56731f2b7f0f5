"""Account lifecycle: set or change a password, disable and enable a user; every step audited."""

from __future__ import annotations

from sqlalchemy import select, update

from hub.db.base import utcnow
from hub.db.models.accounts import ApiToken, User
from hub.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from hub.security import passwords
from hub.security import scopes as scope_rules
from hub.security.principal import Principal
from hub.services.orgs import require_authenticated
from hub.services.tokens import normalise_email


def find_user(session, *, user_id: int | None = None, email: str | None = None) -> User:
    if user_id is not None:
        user = session.get(User, user_id)
    else:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(
            "没有这个用户，请用 `eduhub users list` 或 GET /api/v1/users 查看。"
            "No such user: list them with `eduhub users list` or GET /api/v1/users."
        )
    return user


def check_may_manage_user(actor: Principal, user: User) -> None:
    """Admins manage anyone; an org_admin manages a non-admin whose every role is in their subtree.

    "Every" matters: a teacher of the school who is also a county org_admin is not the school's
    to reset, or a school org_admin could take over the county.
    """
    scope_rules.require(actor.scopes, "admin")
    if actor.is_admin:
        return
    paths = [m.org.path for m in user.memberships]
    if user.is_admin or not paths or not all(actor.has_role_over(p, "org_admin") for p in paths):
        # The same words whether or not the user exists elsewhere in the hub.
        raise Forbidden(
            "只有管理员或该用户所在机构的机构管理员可以管理该账户。"
            "Only an administrator, or an org_admin over all of this user's organisations, "
            "can manage this account."
        )


class LifecycleOperations:
    """Mixed into AccountService (uow factory, db, config); `_testing` picks the hash profile."""

    def set_password(
        self,
        actor: Principal,
        *,
        password: str,
        user_id: int | None = None,
        email: str | None = None,
        current_password: str | None = None,
    ) -> dict:
        """A manager sets a user's password; a user changes their own with the current one."""
        require_authenticated(actor)
        passwords.check(password)
        new_hash = passwords.hash_password(password, testing=self._testing)
        with self.uow(actor) as uow:
            user = find_user(uow.session, user_id=user_id, email=email)
            own = user.id == actor.user_id
            if own:
                _check_current(user, current_password)
            else:
                check_may_manage_user(actor, user)
            user.password_hash = new_hash
            user.seeded_password = False
            # Ends every session signed in with the old password; the caller re-issues its own.
            user.session_version += 1
            action = "user.change_password" if own else "user.set_password"
            uow.audit(action, "user", user.id, email=user.email)
            uow.commit()
            return {"id": user.id, "email": user.email, "session_version": user.session_version}

    def set_active(
        self,
        actor: Principal,
        active: bool,
        *,
        user_id: int | None = None,
        email: str | None = None,
    ) -> dict:
        """Disable (or enable) a user: disabling revokes their tokens and ends their sessions."""
        require_authenticated(actor)
        with self.uow(actor) as uow:
            user = find_user(uow.session, user_id=user_id, email=email)
            check_may_manage_user(actor, user)
            if user.id == actor.user_id and not active:
                raise Forbidden(
                    "不能停用自己的账户，请让另一位管理员操作。"
                    "You cannot disable your own account: ask another administrator."
                )
            revoked = 0 if active else _revoke_tokens(uow.session, user.id)
            user.is_active = active
            if not active:
                user.session_version += 1  # re-enabling does not revive the old sessions
            action = "user.enable" if active else "user.disable"
            uow.audit(action, "user", user.id, email=user.email, tokens_revoked=revoked)
            uow.commit()
            return {"id": user.id, "email": user.email, "is_active": active}

    def seeded_password_users(self, actor: Principal) -> list[str]:
        """Emails of active accounts still on the password seed-demo printed (administrators)."""
        if not actor.is_admin:
            return []
        with self.db.session() as session:
            query = select(User.email).where(User.seeded_password, User.is_active)
            return list(session.scalars(query.order_by(User.email)))


def _check_current(user: User, current_password: str | None) -> None:
    if not current_password:
        raise ValidationFailed.from_messages(
            {"current_password": ["请输入当前密码。Give your current password to change it."]}
        )
    if not passwords.verify_password(user.password_hash, current_password):
        raise Unauthenticated(
            "当前密码不正确，请重试。The current password is not correct: try again."
        )


def _revoke_tokens(session, user_id: int) -> int:
    """Revoke every live token at once, so re-enabling the account does not revive them."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked.is_(None))
        .values(revoked=utcnow())
    )
    return result.rowcount or 0
