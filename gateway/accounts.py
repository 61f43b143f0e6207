"""User management by admins: list, roles, (de)activation, accounts made from the roster."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from chassis.auth import ROLES
from chassis.uow import UnitOfWork
from gateway.calls import Reply, call
from gateway.models import User
from gateway.revocation import revoke_user
from gateway.users import InvalidUser, create_user, normalize_username

# Accounts provisioned per request: each password costs one argon2id hash (~20-40 ms here), so a
# bigger roster is done unit by unit or in several rounds (the answer says how many are left).
PROVISION_LIMIT = 200
# One-time passwords: 12 characters from an alphabet without look-alikes (0/O, 1/l/I).
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def one_time_password() -> str:
    """A random password the user is given once (about 70 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(12))


def find_users(
    session: Session, q: str | None = None, page: int = 1, page_size: int = 50
) -> tuple[list[User], int]:
    """Users whose username, NIP or unit starts with `q`, by username; and the total."""
    query = select(User)
    if q:
        prefix = q.strip().lower() + "%"
        query = query.where(
            or_(
                User.username.like(prefix),
                User.nip.like(prefix),
                func.lower(User.unit).like(prefix),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = session.scalars(
        query.order_by(User.username).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(users), total


def get_user(session: Session, username: str) -> User | None:
    """The user called `username` (any case), or None."""
    return session.scalar(select(User).where(User.username == normalize_username(username)))


def update_user(
    uow: UnitOfWork,
    user: User,
    *,
    roles: Iterable[str] | None = None,
    active: bool | None = None,
    acting: str | None = None,
    ttl_seconds: int = 3600,
) -> User:
    """Change roles and/or the active flag (raises InvalidUser); the unit of work commits.

    Deactivation also revokes every token the user holds (gateway.revocation)."""
    if roles is not None:
        roles = sorted(set(roles))
        unknown = sorted(set(roles) - set(ROLES))
        if not roles or unknown:
            raise InvalidUser("roles", f"Roles are a non-empty subset of {', '.join(ROLES)}.")
        if acting == user.username and "admin" not in roles:
            # An admin cannot lock themself out of user management by mistake.
            raise InvalidUser("roles", "You cannot remove your own admin role.")
        user.roles = roles
    if active is not None:
        if acting == user.username and not active:
            raise InvalidUser("active", "You cannot deactivate your own account.")
        if user.active and not active:
            revoke_user(uow.session, user.username, ttl_seconds)
        user.active = active
    uow.flush()
    return user


@dataclass(frozen=True)
class Provisioned:
    """An account made from a roster entry, with its one-time password (shown once)."""

    username: str
    nip: str
    name: str
    unit: str
    roles: list[str]
    password: str


def provision(
    uow: UnitOfWork,
    employees: Iterable[dict[str, Any]],
    roles_of: Callable[[dict[str, Any]], list[str]],
) -> tuple[list[Provisioned], int]:
    """Accounts (username = NIP) for employees without one, up to the limit; and how many wait."""
    session = uow.session
    employees = list(employees)
    nips = [e["nip"] for e in employees]
    taken = set(session.scalars(select(User.nip).where(User.nip.in_(nips))).all())
    taken |= set(session.scalars(select(User.username).where(User.username.in_(nips))).all())
    todo = [e for e in employees if e["nip"] not in taken]
    made = []
    for employee in todo[:PROVISION_LIMIT]:
        password = one_time_password()
        roles = roles_of(employee)
        create_user(
            uow,
            employee["nip"],
            password,
            roles,
            employee["nip"],
            employee["unit"],
            must_change_password=True,
        )
        made.append(
            Provisioned(
                employee["nip"],
                employee["nip"],
                employee.get("name", ""),
                employee["unit"],
                sorted(set(roles)),
                password,
            )
        )
    return made, len(todo) - len(made)


def roster_roles(employees: list[dict[str, Any]]) -> Callable[[dict[str, Any]], list[str]]:
    """An employee's roles: supervisor too when someone on the roster reports to them."""
    supervisors = {e["supervisor_nip"] for e in employees if e.get("supervisor_nip")}
    return lambda e: ["employee", "supervisor"] if e["nip"] in supervisors else ["employee"]


def fetch_roster(token: str, unit: str | None = None) -> list[dict[str, Any]]:
    """Every employee on the roster (of `unit`), read page by page with the caller's token."""
    employees: list[dict[str, Any]] = []
    page = 1
    while True:
        reply = call(
            "recruitment",
            "GET",
            "employees",
            token,
            query={"unit": unit, "page": page, "page_size": 500},
        )
        if not reply.ok:
            raise RosterUnavailable(reply)
        employees.extend(reply.data["items"])
        if page * 500 >= reply.data["total"]:
            return employees
        page += 1


class RosterUnavailable(Exception):
    """The roster could not be read (the recruitment service refused or did not answer)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.message())
        self.reply = reply
