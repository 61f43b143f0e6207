"""Token revocation: sign-out and deactivation take effect at the gateway before expiry.

Revocations live in the gateway's database (every worker and replica sees them); each process
keeps them in memory and reloads them at most every REFRESH_SECONDS, so a check costs a set and
a dict lookup on every call (cached verified tokens included) and a revoked token is refused
everywhere within that time. Rows are deleted once the tokens they name would have expired.

The services learn the revoked token ids too: `GET /revocations` answers them as a document the
gateway signs with its token key (`published`), which services verify with the public key they
already hold and reread every few seconds (chassis.revocations). Only ids: a deactivation
revokes the user's issued tokens (`issued_tokens`) by id, so no username is ever published.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import jwt
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chassis.auth import ALGORITHM
from chassis.revocations import LIST_AUDIENCE
from gateway.models import IssuedToken, TokenRevocation

REFRESH_SECONDS = 2.0
LIST_TTL_SECONDS = 300


class RevocationList:
    """The revoked tokens as this process last read them."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self.session_factory = session_factory
        self._lock = threading.Lock()
        self._loaded_at = float("-inf")
        self._jtis: frozenset[str] = frozenset()
        self._issued_before: dict[str, int] = {}

    def revoked(self, subject: str, jti: str | None, issued_at: float) -> bool:
        """True when the token (`jti`, issued at `issued_at` to `subject`) is revoked."""
        if time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            self.reload()
        cutoff = self._issued_before.get(subject)
        return (jti is not None and jti in self._jtis) or (
            cutoff is not None and issued_at <= cutoff
        )

    def revoked_ids(self) -> frozenset[str]:
        """The ids of every revoked token still in force (reloaded as `revoked` does)."""
        if time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            self.reload()
        return self._jtis

    def reload(self) -> None:
        """Read every revocation still in force."""
        with self._lock:
            now = int(time.time())
            with self.session_factory() as session:
                rows = session.execute(
                    select(
                        TokenRevocation.subject, TokenRevocation.jti, TokenRevocation.issued_before
                    ).where(TokenRevocation.expires_at >= now)
                ).all()
            self._jtis = frozenset(row.jti for row in rows if row.jti)
            cutoffs: dict[str, int] = {}
            for row in rows:
                if row.issued_before is not None:
                    cutoffs[row.subject] = max(cutoffs.get(row.subject, 0), row.issued_before)
            self._issued_before = cutoffs
            self._loaded_at = time.monotonic()


def revoke_token(session: Session, subject: str, jti: str, expires_at: int) -> None:
    """Refuse one token from now on (sign-out); the caller commits."""
    _purge(session)
    session.add(TokenRevocation(subject=subject, jti=jti, expires_at=expires_at))


def revoke_user(session: Session, subject: str, ttl_seconds: int) -> None:
    """Refuse every token issued to `subject` until now (deactivation); the caller commits.

    The gateway refuses them by subject and time; each issued token is also revoked by its id,
    which is all the services learn."""
    _purge(session)
    now = int(time.time())
    session.add(
        TokenRevocation(subject=subject, issued_before=now, expires_at=now + ttl_seconds + 60)
    )
    issued = session.execute(
        select(IssuedToken.jti, IssuedToken.expires_at).where(
            IssuedToken.subject == subject, IssuedToken.expires_at >= now
        )
    ).all()
    for jti, expires_at in issued:
        session.add(TokenRevocation(subject=subject, jti=jti, expires_at=expires_at))


def record_issued(session: Session, subject: str, jti: str, expires_at: int) -> None:
    """Note a token just issued (so that a deactivation can revoke it by id); caller commits."""
    session.execute(delete(IssuedToken).where(IssuedToken.expires_at < int(time.time())))
    session.add(IssuedToken(jti=jti, subject=subject, expires_at=expires_at))


def published(revocations: RevocationList, signing_key: bytes, issuer: str) -> str:
    """The revoked ids as a token-like document signed with the gateway's key (RS256)."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": LIST_AUDIENCE,
        "iat": now,
        "exp": now + LIST_TTL_SECONDS,
        "revoked": sorted(revocations.revoked_ids()),
    }
    return jwt.encode(claims, signing_key, algorithm=ALGORITHM)


def _purge(session: Session) -> None:
    session.execute(delete(TokenRevocation).where(TokenRevocation.expires_at < int(time.time())))
