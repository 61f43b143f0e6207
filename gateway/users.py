"""User accounts: creation with validated roles and NIP, and password checks with argon2id."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import inspect, select
from sqlalchemy.orm import sessionmaker

from chassis.auth import ROLES
from chassis.config import Settings
from chassis.db import make_engine
from chassis.domain import Invalid
from chassis.uow import UnitOfWork, unit_of_work
from contracts.identifiers import nip_problem
from gateway.models import User

# OWASP Password Storage Cheat Sheet, argon2id option 2: m=19 MiB, t=2, p=1. Pinned here rather
# than taken from the library's defaults, so that an upgrade of argon2-cffi cannot change the
# cost silently; stored hashes made with other parameters are rehashed at the next login.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

BAD_CREDENTIALS = "The username or the password is wrong."
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
UNIT = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class InvalidUser(Invalid, ValueError):
    """A user that cannot be created; names the field and the reason (a 422 on the web)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__({field: [reason]}, f"{field}: {reason}")
        self.field = field
        self.reason = reason


def normalize_username(username: str) -> str:
    """Usernames are compared case-insensitively and without surrounding blanks."""
    return username.strip().lower()


def user_problems(
    username: str, password: str, roles: Iterable[str], nip: str | None, unit: str | None
) -> dict[str, str]:
    """Field -> reason for every field of a new user that is not valid (empty when valid)."""
    problems: dict[str, str] = {}
    if not USERNAME.match(normalize_username(username)):
        problems["username"] = (
            "3-64 characters: lowercase letters, digits and . _ @ -, starting with a letter or "
            "digit."
        )
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        problems["password"] = f"A password has {PASSWORD_MIN} to {PASSWORD_MAX} characters."
    roles = list(roles)
    unknown = sorted(set(roles) - set(ROLES))
    if not roles:
        problems["roles"] = f"At least one role is needed: {', '.join(ROLES)}."
    elif unknown:
        problems["roles"] = (
            f"Unknown role(s) {', '.join(unknown)}; the roles are {', '.join(ROLES)}."
        )
    if nip is not None and (problem := nip_problem(nip)):
        problems["nip"] = problem
    if unit is not None and not UNIT.match(unit):
        problems["unit"] = "A unit code has 1-64 letters, digits or . _ -."
    return problems


def create_user(
    uow: UnitOfWork,
    username: str,
    password: str,
    roles: Iterable[str],
    nip: str | None = None,
    unit: str | None = None,
    *,
    must_change_password: bool = False,
) -> User:
    """Add a user with a hashed password (raises InvalidUser); the unit of work commits.

    `must_change_password` for an account whose password someone else chose (an admin's, a
    provisioned one): the user replaces it at the first sign-in.
    """
    session = uow.session
    roles = sorted(set(roles))
    problems = user_problems(username, password, roles, nip, unit)
    if problems:
        field, reason = next(iter(problems.items()))
        raise InvalidUser(field, reason)
    username = normalize_username(username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidUser("username", f"A user called {username} already exists.")
    user = User(
        username=username,
        password_hash=HASHER.hash(password),
        roles=roles,
        nip=nip,
        unit=unit,
        active=True,
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    return user


@cache
def _dummy_hash() -> str:
    # Verified against when the user does not exist, so that an unknown username costs the same
    # argon2 work as a wrong password and timing does not reveal which usernames exist.
    return HASHER.hash(secrets.token_urlsafe(16))


class InactiveAccount(Exception):
    """The password is right but an admin deactivated the account."""


def authenticate(
    uow: UnitOfWork, username: str, password: str, *, tell_inactive: bool = False
) -> User | None:
    """The active user with these credentials; None for a wrong name, password or account.

    With `tell_inactive`, a right password for a deactivated account raises InactiveAccount
    (only someone who knows the password learns it). A hash made with older parameters is
    replaced, committed with the unit of work.
    """
    user = uow.session.scalar(select(User).where(User.username == normalize_username(username)))
    try:
        HASHER.verify(user.password_hash if user else _dummy_hash(), password)
        valid = user is not None and user.active
    except (VerificationError, InvalidHashError):
        return None
    if tell_inactive and user is not None and not user.active:
        raise InactiveAccount(user.username)
    if not valid:
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return user


def change_password(uow: UnitOfWork, username: str, current: str, new: str) -> User:
    """Replace the user's password after checking the current one; clears the forced change.

    Raises InvalidUser naming `current_password` (wrong) or `new_password` (length, unchanged).
    """
    user = uow.session.scalar(select(User).where(User.username == normalize_username(username)))
    try:
        HASHER.verify(user.password_hash if user else _dummy_hash(), current)
    except (VerificationError, InvalidHashError):
        raise InvalidUser("current_password", "The current password is wrong.") from None
    if user is None or not user.active:
        raise InvalidUser("current_password", "The current password is wrong.")
    if not PASSWORD_MIN <= len(new) <= PASSWORD_MAX:
        raise InvalidUser(
            "new_password", f"A password has {PASSWORD_MIN} to {PASSWORD_MAX} characters."
        )
    if new == current:
        raise InvalidUser("new_password", "The new password must differ from the current one.")
    user.password_hash = HASHER.hash(new)
    user.must_change_password = False
    return user


def create_user_command(settings: Settings, *user: Any) -> User:
    """`sofifi user create`: add a user to the (migrated) gateway database; ValueError if bad.

    `user` is what `create_user` takes after the unit of work: username, password, roles,
    and the optional NIP and unit.
    """
    engine = make_engine(settings.database_url)
    try:
        if not inspect(engine).has_table(User.__tablename__):
            raise ValueError(
                "the gateway database has no users table; run `sofifi migrate gateway` first"
            )
        with unit_of_work(sessionmaker(engine, expire_on_commit=False)) as uow:
            return create_user(uow, *user)
    finally:
        engine.dispose()


def deactivate_user(uow: UnitOfWork, username: str, ttl_seconds: int) -> User:
    """Stop a user logging in and revoke every token issued to them; the unit of work commits."""
    from gateway.revocation import revoke_user

    session = uow.session
    user = session.scalar(select(User).where(User.username == normalize_username(username)))
    if user is None:
        raise InvalidUser("username", f"There is no user called {username}.")
    user.active = False
    revoke_user(session, user.username, ttl_seconds)
    return user


def deactivate_user_command(settings: Settings, username: str) -> User:
    """`sofifi user deactivate`: in the gateway database; ValueError when there is no such user."""
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(sessionmaker(engine, expire_on_commit=False)) as uow:
            return deactivate_user(uow, username, settings.jwt_ttl_seconds)
    finally:
        engine.dispose()
