"""Domain refusals: what a workflow raises when a rule says no, free of HTTP and of Flask.

The web layer (`chassis.errors`) maps each to the one error shape: `Invalid` to 422 (its
problems under the request's body location unless the view says otherwise), `NotFoundError` to
404, `ConflictError` to 409 (with `details`, e.g. blockers), `NotAllowed` to 403. Jobs and the
CLI read `message` and `problems` themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the request."""

    message = "The request was refused."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(self.message)


class Invalid(DomainError):
    """Input that breaks a rule: field name -> reasons (nested mappings allowed, e.g. rows)."""

    message = "The request is not valid."

    def __init__(
        self, problems: Mapping[str, Any], message: str | None = None, *, location: str = "json"
    ) -> None:
        super().__init__(message)
        self.problems = dict(problems)
        self.location = location

    @classmethod
    def field(cls, name: str, reason: str, location: str = "json") -> Invalid:
        """One field refused for one reason."""
        return cls({name: [reason]}, location=location)

    @classmethod
    def fields(cls, problems: Mapping[str, str], location: str = "json") -> Invalid:
        """Several fields, one reason each (the shape the pure rules return)."""
        return cls({name: [why] for name, why in problems.items()}, location=location)


class NotFoundError(DomainError):
    """The thing asked for does not exist (or the caller may not know that it does)."""

    message = "Not found."


class ConflictError(DomainError):
    """The request conflicts with the current state; `details` says what blocks it."""

    message = "The request conflicts with the current state."

    def __init__(self, message: str | None = None, *, details: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.details = dict(details) if details else None


class NotAllowed(DomainError):
    """The actor may not do this to this record (a relationship rule, not a missing role)."""

    message = "You may not do this."


def refuse_if(problems: Mapping[str, str], *, location: str = "json") -> None:
    """Raise `Invalid` when a pure rule returned any problems (field -> reason)."""
    if problems:
        raise Invalid.fields(problems, location=location)
