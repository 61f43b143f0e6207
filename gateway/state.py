"""What the gateway's factory makes once and its views share: settings, upstreams, executor."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import jwt
import urllib3
from flask import current_app
from flask_smorest import Api

from chassis.auth import LEEWAY_SECONDS, Principal, TokenVerifier
from chassis.config import Settings
from chassis.errors import Unauthorized
from gateway.aggregate import Aggregator
from gateway.upstream import Upstream

VERIFIED_TOKENS_KEPT = 2048


class VerifiedTokens:
    """Tokens this process has verified, so that a client's next calls skip the RSA check.

    A token is immutable: once its signature, issuer and audience were found valid they stay
    valid, and only the expiry has to be checked again. Only successes are kept (a refused token
    raises and is never cached), in a bounded LRU.
    """

    def __init__(self, verifier: TokenVerifier, size: int = VERIFIED_TOKENS_KEPT) -> None:
        self.verifier = verifier
        self._lookup = lru_cache(maxsize=size)(self._verify_fully)

    def _verify_fully(self, token: str) -> tuple[Principal, float]:
        principal = self.verifier.verify(token)
        # The signature was just checked; this only reads the expiry of the same token.
        claims = jwt.decode(token, options={"verify_signature": False})
        return principal, float(claims["exp"])

    def verify(self, token: str, now: float | None = None) -> Principal:
        """The principal of a valid token; raises Unauthorized otherwise."""
        principal, expires = self._lookup(token)
        if (time.time() if now is None else now) > expires + LEEWAY_SECONDS:
            raise Unauthorized("The token has expired.")
        return principal


@dataclass(frozen=True)
class GatewayState:
    """The gateway's long-lived objects, made in `create_app` (nothing at import)."""

    settings: Settings
    pool: urllib3.PoolManager
    upstreams: dict[str, Upstream]
    aggregator: Aggregator
    tokens: VerifiedTokens
    signing_key: bytes
    api: Api


def gateway_state() -> GatewayState:
    """The state of the current app."""
    return current_app.extensions["gateway"]
