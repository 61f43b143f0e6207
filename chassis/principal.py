"""Who acts: the verified caller of a request, or the platform itself (jobs, events, CLI)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ROLES: tuple[str, ...] = ("admin", "recruiter", "supervisor", "employee", "committee", "officer")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject, roles, NIP and unit."""

    username: str
    roles: tuple[str, ...]
    nip: str | None = None
    unit: str | None = None

    def has_any(self, roles: Iterable[str]) -> bool:
        """True when the principal holds at least one of `roles`."""
        return bool(set(self.roles) & set(roles))


def system_actor(name: str) -> Principal:
    """The platform acting on its own (a job, an event handler, the CLI), named for the audit."""
    return Principal(username=f"system:{name}", roles=("admin",))
