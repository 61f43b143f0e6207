"""The tokens the gateway has revoked, as a service learns them: a signed list, reread often.

Sign-out and deactivation are decided at the gateway (gateway.revocation). A service reached
directly (inside the network, around the gateway) would accept such a token until it expires,
so each service process rereads `GET <GATEWAY_URL>/revocations` at most every
`REVOCATION_REFRESH_SECONDS` and refuses the ids it lists. The list is an RS256 document signed
with the gateway's token key, verified with the public key the service already holds: a list
from anyone else is ignored. The read happens on the request that finds the list stale (one
request at a time; the others use the list they have), with a short timeout.

If the gateway cannot be read, the last list stays in force and a warning is logged: the
services keep working while the gateway is down (tokens are verified without it by design), and
only revocations made meanwhile are missed, as before this list existed.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import jwt
import urllib3

from chassis.auth import ALGORITHM

log = logging.getLogger("sofifi.auth")
LIST_AUDIENCE = "sofifi-revocations"  # gateway.revocation signs with it; never an access token's
FETCH_TIMEOUT = 1.0


class RevocationFeed:
    """The revoked token ids this process last read from the gateway."""

    def __init__(self, url: str, public_key: Any, issuer: str, refresh_seconds: float) -> None:
        self.url = url.rstrip("/") + "/revocations"
        self.public_key = public_key
        self.issuer = issuer
        self.refresh_seconds = refresh_seconds
        self._pool = urllib3.PoolManager(
            maxsize=1, retries=False, timeout=urllib3.Timeout(total=FETCH_TIMEOUT)
        )
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._revoked: frozenset[str] = frozenset()
        self._failing = False

    def revoked(self, jti: str | None) -> bool:
        """Whether the gateway lists this token id as revoked (as last read)."""
        if time.monotonic() - self._read_at >= self.refresh_seconds:
            self.refresh()
        return jti is not None and jti in self._revoked

    def refresh(self) -> None:
        """Reread the list unless another thread is doing so; keep the old one on failure."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._read_at = time.monotonic()
            self._revoked = self._fetch()
            if self._failing:
                log.info("revoked tokens readable again", extra={"url": self.url})
            self._failing = False
        except Exception as exc:  # any failure: keep the last list, say so once
            if not self._failing:
                log.warning(
                    "cannot read the revoked tokens; keeping the last list",
                    extra={"url": self.url, "error": str(exc)},
                )
            self._failing = True
        finally:
            self._lock.release()

    def _fetch(self) -> frozenset[str]:
        response = self._pool.request("GET", self.url)
        if response.status != 200:
            raise RuntimeError(f"answered {response.status}")
        claims = jwt.decode(
            response.data,
            self.public_key,
            algorithms=[ALGORITHM],
            issuer=self.issuer,
            audience=LIST_AUDIENCE,
            options={"require": ["exp", "iat", "iss", "aud"]},
        )
        revoked = claims.get("revoked")
        if not isinstance(revoked, list) or not all(isinstance(jti, str) for jti in revoked):
            raise RuntimeError("the list is malformed")
        return frozenset(revoked)
