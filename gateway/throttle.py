"""Per-account login throttling, in the gateway's database so that every worker and replica
shares it (the per-client limit of Flask-Limiter is per process unless Redis is configured).

After MAX_FAILURES wrong passwords for one username within WINDOW, that username is refused
(429 with Retry-After) for LOCKOUT, without checking the password: a guessing run spread over
many clients is slowed down as much as one from a single address. Unknown usernames are counted
the same way, so that the answer does not tell which accounts exist. A successful login clears
the count.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chassis.errors import ApiError
from gateway.models import LoginThrottle
from gateway.users import normalize_username

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


class TooManyFailedLogins(ApiError):
    code = 429
    message = "Too many failed logins for this account; wait and try again."


def refuse_if_locked(session: Session, username: str, now: datetime | None = None) -> None:
    """429 when the username is locked out (nothing is checked or counted then)."""
    now = now or datetime.now(UTC)
    row = session.get(LoginThrottle, normalize_username(username)[:64])
    if row is not None and row.locked_until is not None and row.locked_until > now:
        seconds = int((row.locked_until - now).total_seconds()) + 1
        raise TooManyFailedLogins(
            f"Too many failed logins for this account; try again in {seconds} s.",
            headers={"Retry-After": str(seconds)},
        )


def record_failure(session: Session, username: str, now: datetime | None = None) -> None:
    """Count one wrong password for `username` (in its own unit of work: the login is refused)."""
    now = now or datetime.now(UTC)
    key = normalize_username(username)[:64]
    for _attempt in range(2):  # a concurrent first failure may insert the row under us
        try:
            with session.begin_nested():
                _count_failure(session, key, now)
            return
        except IntegrityError:
            continue


def _count_failure(session: Session, key: str, now: datetime) -> None:
    row = session.scalar(
        select(LoginThrottle).where(LoginThrottle.username == key).with_for_update()
    )
    if row is None:
        row = LoginThrottle(username=key, failures=0, first_failure_at=now)
        session.add(row)
    elif now - row.first_failure_at > WINDOW:
        row.failures, row.first_failure_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCKOUT
    session.flush()


def record_success(session: Session, username: str) -> None:
    """Clear the count of `username` after a successful login (the caller commits)."""
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.username == normalize_username(username)[:64])
    )
