"""Tables of the gateway: user accounts only (the gateway holds no domain data)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, Boolean, MetaData, String, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import NAMING_CONVENTION, BigId, UtcDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> datetime:
    return datetime.now(UTC)


class User(Base):
    """A person who may log in: hashed password, roles, and the NIP and unit they act for."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON)
    nip: Mapped[str | None] = mapped_column(String(18), index=True)
    unit: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set for an account an admin created or provisioned: its first password is known to
    # someone else, so the pages ask for a new one before anything else.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)


class LoginThrottle(Base):
    """Failed logins per username (known or not), shared by every gateway worker and replica."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UtcDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class TokenRevocation(Base):
    """A token refused before its expiry: one token (`jti`, at sign-out) or every token of a
    user issued before a moment (`issued_before`, at deactivation). Kept until `expires_at`."""

    __tablename__ = "token_revocations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    jti: Mapped[str | None] = mapped_column(String(64))
    issued_before: Mapped[int | None] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class IssuedToken(Base):
    """A token the gateway issued, kept until it expires: deactivating its user revokes it by
    id, so the services (which learn revoked ids only, see gateway.revocation) refuse it too."""

    __tablename__ = "issued_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
