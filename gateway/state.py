"""What the gateway's factory makes once and its views share: settings, upstreams, aggregator."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import jwt
from flask import current_app
from flask_smorest import Api

from chassis.auth import LEEWAY_SECONDS, Principal, TokenVerifier
from chassis.config import Settings
from chassis.errors import Unauthorized
from gateway.aggregate import Aggregator
from gateway.revocation import RevocationList
from gateway.upstream import Upstream

VERIFIED_TOKENS_KEPT = 2048


class VerifiedTokens:
    """Tokens this process has verified, so that a client's next calls skip the RSA check.

    A token is immutable: once its signature, issuer and audience were found valid they stay
    valid, and only the expiry has to be checked again. Only successes are kept (a refused token
    raises and is never cached), in a bounded LRU. Revocation (sign-out, deactivation) is checked
    on every use, against the list this process keeps (gateway.revocation).
    """

    def __init__(
        self,
        verifier: TokenVerifier,
        size: int = VERIFIED_TOKENS_KEPT,
        revocations: RevocationList | None = None,
    ) -> None:
        self.verifier = verifier
        self.revocations = revocations
        self._lookup = lru_cache(maxsize=size)(self._verify_fully)

    def _verify_fully(self, token: str) -> tuple[Principal, float, str | None, float]:
        principal = self.verifier.verify(token)
        # The signature was just checked; this only reads the claims of the same token.
        claims = jwt.decode(token, options={"verify_signature": False})
        return principal, float(claims["exp"]), claims.get("jti"), float(claims["iat"])

    def verify(self, token: str, now: float | None = None) -> Principal:
        """The principal of a valid token; raises Unauthorized otherwise."""
        principal, expires, jti, issued = self._lookup(token)
        if (time.time() if now is None else now) > expires + LEEWAY_SECONDS:
            raise Unauthorized("The token has expired.")
        if self.revocations is not None and self.revocations.revoked(
            principal.username, jti, issued
        ):
            raise Unauthorized("The token was revoked (signed out or account deactivated).")
        return principal

    def claims(self, token: str) -> tuple[str | None, float]:
        """The `jti` and expiry of a token verified before."""
        _principal, expires, jti, _issued = self._lookup(token)
        return jti, expires


@dataclass(frozen=True)
class GatewayState:
    """The gateway's long-lived objects, made in `create_app` (nothing at import)."""

    settings: Settings
    upstreams: dict[str, Upstream]
    aggregator: Aggregator
    tokens: VerifiedTokens
    signing_key: bytes
    api: Api


def gateway_state() -> GatewayState:
    """The state of the current app."""
    return current_app.extensions["gateway"]
