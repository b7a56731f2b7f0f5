"""API tokens: issue (shown once), list, revoke, and resolve a bearer token to its user."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from hub.db.base import utcnow
from hub.db.models.accounts import ApiToken, Membership, Organisation, User
from hub.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from hub.security import scopes as scope_rules
from hub.security import tokens
from hub.security.principal import Principal, Role
from hub.services import harvest_tokens
from hub.services.orgs import org_by_code, require_authenticated

MAX_EXPIRES_DAYS = 3650
# last_used is for people ("is this token still in use?"): minutes are precise enough, and sparing
# the write keeps a busy script from updating the same row on every request.
LAST_USED_GRANULARITY = timedelta(minutes=5)

INVALID = (
    "令牌无效，请检查或用 `eduhub tokens create` 新建一个。"
    "The API token is not valid: check it or create a new one."
)


def user_by_email(session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(
            f"没有邮箱为 '{email}' 的用户，请先用 `eduhub users create` 创建。"
            f"No user has the email '{email}': create one with `eduhub users create`."
        )
    return user


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def token_to_dict(token: ApiToken) -> dict:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "user": token.user.email,
        "created": token.created,
        "expires": token.expires,
        "revoked": token.revoked,
        "last_used": token.last_used,
        "scopes": token.scopes.split(),
        "org": token.org.code if token.org is not None else None,
    }


def _check_expiry(expires_days) -> None:
    if expires_days is None:
        return
    if (
        isinstance(expires_days, bool)
        or not isinstance(expires_days, int)
        or not 1 <= expires_days <= MAX_EXPIRES_DAYS
    ):
        raise ValidationFailed.from_messages(
            {
                "expires_days": [
                    f"有效天数须为 1 到 {MAX_EXPIRES_DAYS} 之间的整数，或不填表示永不过期。"
                    f"Give a whole number of days from 1 to {MAX_EXPIRES_DAYS}, or leave it out "
                    "for no expiry."
                ]
            }
        )


class TokenOperations:
    """Mixed into AccountService (uow factory, db, config); `principal_for` builds principals."""

    def create_token(
        self,
        actor: Principal,
        *,
        email: str | None = None,
        name: str = "",
        expires_days: int | None = None,
        scopes=None,
        org: str | None = None,
    ) -> tuple[str, dict]:
        """A new token for `email` (default: the actor): the token itself, once, and its record.

        A token never outlives, nor may do more than, the token its creator signed in with.
        With `org`, a harvest token bound to that organisation's subtree (see harvest_tokens).
        """
        require_authenticated(actor)
        _check_expiry(expires_days)
        if len(name or "") > 200:
            raise ValidationFailed.from_messages(
                {"name": ["名称不能超过 200 字。The name must be at most 200 characters."]}
            )
        if org and not scopes:
            scopes = sorted(harvest_tokens.HARVEST_ONLY)
        granted = token_scopes(actor, scopes)
        expires = token_expiry(actor, expires_days)
        email = self._token_owner(actor, email)
        with self.uow(actor) as uow:
            user = user_by_email(uow.session, email)
            bound = org_by_code(uow.session, org) if org else None
            if bound is not None:
                harvest_tokens.check_binding(actor, self.principal_for(user), bound, granted)
            secret = tokens.generate()
            record = ApiToken(
                user=user,
                name=(name or "").strip(),
                token_hash=tokens.digest(secret),
                prefix=tokens.display_prefix(secret),
                expires=expires,
                scopes=scope_rules.serialise(granted),
                org=bound,
            )
            uow.session.add(record)
            uow.session.flush()
            uow.audit(
                "token.create",
                "token",
                record.id,
                user=user.email,
                name=record.name,
                prefix=record.prefix,
                expires_days=expires_days,
                scopes=record.scopes,
                org=org or None,
            )
            result = token_to_dict(record)
            uow.commit()
            return secret, result

    @staticmethod
    def _token_owner(actor: Principal, email: str | None) -> str:
        """Whose token: the actor's own, or (administrators only) anyone's.

        Others are refused with the same words whether the email exists or not, so the answer
        tells a signed-in user nothing about which accounts exist.
        """
        own = normalise_email(actor.email or "") if actor.user_id is not None else ""
        email = normalise_email(email or "") or own
        if not email:
            raise ValidationFailed.from_messages(
                {"email": ["请指定令牌所属用户的邮箱。Give the email of the token's owner."]}
            )
        if email != own and not actor.is_admin:
            raise Forbidden("只能为自己创建令牌。You can only create tokens for yourself.")
        return email

    def list_tokens(self, actor: Principal) -> list[dict]:
        """The actor's own tokens, newest first (revoked ones too, marked as such)."""
        require_authenticated(actor)
        with self.db.session() as session:
            rows = session.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == actor.user_id)
                .order_by(ApiToken.created.desc(), ApiToken.id.desc())
            ).all()
            return [token_to_dict(t) for t in rows]

    def revoke_token(self, actor: Principal, token_id: int) -> None:
        """Revoke one of the actor's tokens (admins: anyone's); revoking twice is harmless."""
        require_authenticated(actor)
        with self.uow(actor) as uow:
            token = uow.session.get(ApiToken, token_id)
            if token is None or (token.user_id != actor.user_id and not actor.is_admin):
                # Others' tokens are reported as missing, so ids reveal nothing.
                raise NotFound(
                    f"没有编号为 {token_id} 的令牌。"
                    f"No token with id {token_id}: list yours with GET "
                    "/api/v1/tokens."
                )
            if token.revoked is None:
                token.revoked = utcnow()
                uow.audit(
                    "token.revoke", "token", token.id, user=token.user.email, prefix=token.prefix
                )
            uow.commit()

    def principal_for_token(self, token: str, *, ip: str | None = None) -> Principal:
        """The caller a bearer token stands for, read afresh on every request (no cache, so a
        revoked token, a disabled user or a removed role stops working at once)."""
        if not token or not tokens.looks_like_token(token):
            raise Unauthenticated(INVALID)
        with self.db.session() as session:
            rows = session.execute(_resolving(tokens.digest(token))).all()
            now = utcnow()
            _check_usable(rows[0] if rows else None, now)
            head = rows[0]
            if head.org_id is None:
                principal = _principal(rows, ip)
            else:  # bound harvest tokens are rare: the ORM path keeps their rules in one place
                record = session.get(ApiToken, head.token_id)
                principal = self._bound_principal(session, record, ip)
            if head.last_used is None or now - head.last_used > LAST_USED_GRANULARITY:
                session.execute(
                    update(ApiToken).where(ApiToken.id == head.token_id).values(last_used=now)
                )
                session.commit()
            return principal

    def _bound_principal(self, session, record: ApiToken, ip: str | None) -> Principal:
        # A bound token lasts only while its owner may still issue it: an org_admin who leaves
        # the organisation takes the parent hub's access along.
        if not self.principal_for(record.user).has_role_over(record.org.path, "org_admin"):
            raise Unauthenticated(INVALID)
        return harvest_tokens.harvest_principal(session, record, ip=ip)


def _resolving(digest: str):
    """The token, its user and the user's roles in one query: one row per role (or one row with
    no role), columns only, so a request pays one round trip and no ORM loading."""
    T, U, M, Org = ApiToken, User, Membership, Organisation
    return (
        select(
            T.id.label("token_id"),
            T.org_id,
            T.scopes,
            T.expires,
            T.revoked,
            T.last_used,
            U.id.label("user_id"),
            U.email,
            U.name,
            U.is_admin,
            U.is_active,
            U.session_version,
            M.org_id.label("role_org_id"),
            M.role,
            Org.path,
            Org.region,
        )
        .join(U, U.id == T.user_id)
        .outerjoin(M, M.user_id == U.id)
        .outerjoin(Org, Org.id == M.org_id)
        .where(T.token_hash == digest)
        .order_by(M.id)
    )


def _principal(rows, ip: str | None) -> Principal:
    """What AccountService.principal_for makes from the ORM graph, from the rows of `_resolving`."""
    head = rows[0]
    roles = tuple(
        Role(org_id=r.role_org_id, org_path=r.path, region=r.region, role=r.role)
        for r in rows
        if r.role is not None
    )
    scopes = frozenset(head.scopes.split())
    return Principal(
        user_id=head.user_id,
        email=head.email,
        is_admin=head.is_admin and "admin" in scopes,
        roles=roles,
        ip=ip,
        name=head.name,
        scopes=scopes,
        token_expires=head.expires,
        session_version=head.session_version,
    )


def token_scopes(actor: Principal, requested) -> frozenset[str]:
    """The scopes asked for (default: all the creator has), never wider than the creator's token."""
    held = actor.scopes if actor.scopes is not None else scope_rules.ALL
    if requested is None or requested == []:
        return held
    wanted = scope_rules.parse(requested)
    if not wanted <= held:
        extra = ", ".join(sorted(wanted - held))
        raise Forbidden(
            f"新令牌的权限不能超过当前令牌（多出：{extra}）。"
            f"A new token cannot have scopes the current one lacks ({extra}): ask for fewer."
        )
    return wanted


def token_expiry(actor: Principal, expires_days: int | None):
    """When the new token expires: as asked, and never after the creator's own token."""
    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    limit = actor.token_expires
    if limit is None:
        return expires
    if expires is None:
        return limit  # unasked, it inherits the creator's expiry
    if expires > limit:
        raise Forbidden(
            f"新令牌不能比当前令牌（{limit:%Y-%m-%d %H:%M} UTC 到期）更晚过期，请缩短有效期。"
            f"A new token cannot outlive the current one (it expires {limit:%Y-%m-%d %H:%M} UTC): "
            f"ask for fewer days."
        )
    return expires


def _check_usable(record, now) -> None:
    """`record`: a row of `_resolving` (or None when no token has this digest)."""
    if record is None or not record.is_active:
        raise Unauthenticated(INVALID)
    if record.revoked is not None:
        raise Unauthenticated(
            "该令牌已被撤销，请新建一个。This API token has been revoked: create a new one."
        )
    if record.expires is not None and record.expires <= now:
        raise Unauthenticated(
            "该令牌已过期，请新建一个。This API token has expired: create a new one."
        )
