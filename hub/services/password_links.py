"""One-time set-password links: issued to imported accounts, kept only as a SHA-256, used once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from hub.db.base import utcnow
from hub.db.models.accounts import PasswordLink, User
from hub.errors import Forbidden, Gone, NotFound
from hub.security import passwords
from hub.security.principal import Principal
from hub.services.orgs import require_authenticated
from hub.services.tokens import user_by_email

# A password no argon2 hash matches: an imported account cannot log in until its link is used.
NO_PASSWORD = "!unset"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_token() -> tuple[str, str]:
    """(token, its hash): 256 random bits, URL-safe."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def require_admin(actor: Principal) -> None:
    require_authenticated(actor)
    if not actor.is_admin:
        raise Forbidden(
            "只有管理员可以发放设置密码的链接。Only an administrator can issue set-password links."
        )


def _dead(message_zh: str, message_en: str) -> Gone:
    return Gone(
        f"{message_zh}请联系管理员重新发送设置密码的链接。"
        f"{message_en} Ask your administrator to send you a new link."
    )


class PasswordLinkService:
    def __init__(self, uow, db, config):
        self.uow, self.db, self.config = uow, db, config

    def url(self, token: str) -> str:
        return f"{self.config.public_url}/set-password/{token}"

    def expiry(self, now: datetime | None = None) -> datetime:
        return (now or utcnow()) + timedelta(days=self.config.set_password_days)

    def issue(self, actor: Principal, email: str) -> str:
        """A new link for one account (e.g. an expired one); earlier unused links stay valid."""
        require_admin(actor)
        token, digest = new_token()
        with self.uow(actor) as uow:
            user = user_by_email(uow.session, email)
            uow.session.add(PasswordLink(user_id=user.id, token_hash=digest, expires=self.expiry()))
            uow.audit("user.password_link", "user", user.id, event="issued", email=user.email)
            uow.commit()
        return token

    def check(self, token: str) -> dict:
        """Who the link is for ({"email", "name"}); NotFound or Gone with what to do next."""
        with self.db.session() as session:
            link = self._live(session, token)
            return {"email": link.user.email, "name": link.user.name}

    def use(self, token: str, password: str, *, ip: str | None = None) -> str:
        """Set the password and spend the link; returns the account's e-mail."""
        passwords.check(password)
        password_hash = passwords.hash_password(password, testing=bool(self.config.testing))
        with self.uow(Principal(ip=ip)) as uow:
            link = self._live(uow.session, token, lock=True)
            user: User = link.user
            user.password_hash = password_hash
            user.seeded_password = False
            user.session_version += 1  # any session from before the link ends
            link.used = utcnow()
            uow.audit("user.password_link", "user", user.id, event="used", email=user.email)
            uow.commit()
            return user.email

    @staticmethod
    def _live(session, token: str, *, lock: bool = False) -> PasswordLink:
        query = select(PasswordLink).where(PasswordLink.token_hash == token_hash(token or ""))
        link = session.scalar(query.with_for_update(of=PasswordLink) if lock else query)
        if link is None:
            raise NotFound(
                "这个设置密码的链接无效，请检查链接是否完整。"
                "This set-password link is not valid: check that the whole link was copied."
            )
        if link.used is not None:
            raise _dead("这个链接已经用过。", "This link has already been used.")
        if link.expires <= utcnow():
            raise _dead("这个链接已过期。", "This link has expired.")
        if not link.user.is_active:
            raise _dead("这个账号已停用。", "This account is disabled.")
        return link
