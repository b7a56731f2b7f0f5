"""Organisations (a tree), users, their roles per organisation, and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db.base import Base, UTCDateTime, utcnow

ORG_KINDS = ("school", "county", "city", "province", "alliance")
ROLES = ("teacher", "contributor", "reviewer", "org_admin")


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="school")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    region: Mapped[str | None] = mapped_column(String(12), index=True)
    # Materialised path of ancestor ids ("/1/4/9/"), so subtree checks are one LIKE.
    path: Mapped[str] = mapped_column(String(400), index=True, default="/")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The school register (issue 13): 学校标识码 (10 digits), stages served (space-separated
    # stage codes) and the flags the province plans by.
    school_id: Mapped[str | None] = mapped_column(String(10), unique=True, index=True)
    stages: Mapped[str] = mapped_column(String(200), default="", server_default="")
    rural: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    boarding: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    teaching_point: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set by seed-demo, cleared by a password change: /admin warns while one is in use.
    seeded_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), nullable=False
    )
    # Copied into the session cookie at log-in; raised by a password change or a disable, so
    # every cookie issued before then stops signing the user in (cookies live in the browser).
    session_version: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", nullable=False
    )
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "org_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="memberships")
    org: Mapped[Organisation] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # Only the SHA-256 of the token is kept; the token itself is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    # Space-separated scopes (read write harvest admin); tokens from before scopes had them all.
    scopes: Mapped[str] = mapped_column(
        String(64), default="read write harvest admin", server_default="read write harvest admin"
    )
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A harvest token is bound to one organisation subtree: it reads what that subtree's members
    # may read, through the federation feeds only.
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE", name="fk_api_tokens_org_id"),
        index=True,
    )

    user: Mapped[User] = relationship(lazy="joined")
    org: Mapped[Organisation | None] = relationship(lazy="joined")


class PasswordLink(Base):
    """A one-time set-password link: only its SHA-256 is kept; used once, or dead at `expires`."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
