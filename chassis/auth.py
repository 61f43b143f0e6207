"""JWT (RS256) issued by the gateway and verified by every service, and the role decorator.

Verification pins the algorithm (RS256 only, so `alg: none` and HMAC tricks fail), the issuer,
the audience and the expiry; a token missing any of them is refused.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, current_app, g, request

from chassis.errors import Forbidden, Unauthorized
from chassis.principal import ROLES, Principal

if TYPE_CHECKING:
    from chassis.revocations import RevocationFeed

ALGORITHM = "RS256"
LEEWAY_SECONDS = 10

F = TypeVar("F", bound=Callable[..., Any])


def generate_keypair(private_path: Path, public_path: Path) -> bool:
    """Write a new RSA key pair unless one exists; returns True when it wrote one."""
    if private_path.exists() and public_path.exists():
        return False
    private_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created 0600 (never readable by others, not even for a moment); an old file is replaced.
    private_path.unlink(missing_ok=True)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as private_file:
        private_file.write(pem)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return True


def sign_token(
    private_key_pem: bytes,
    *,
    subject: str,
    roles: Iterable[str],
    issuer: str,
    audience: str,
    ttl_seconds: int,
    nip: str | None = None,
    unit: str | None = None,
    now: float | None = None,
    jti: str | None = None,
) -> str:
    """A signed RS256 token for `subject` with its roles, NIP and unit (and id `jti`)."""
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": subject,
        "roles": sorted(set(roles)),
        "nip": nip,
        "unit": unit,
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
        "jti": jti or uuid.uuid4().hex,
    }
    return jwt.encode(claims, private_key_pem, algorithm=ALGORITHM)


class TokenVerifier:
    """Verifies bearer tokens against the gateway's public key."""

    def __init__(self, public_key_pem: bytes, issuer: str, audience: str) -> None:
        self.public_key = serialization.load_pem_public_key(public_key_pem)
        self.issuer = issuer
        self.audience = audience
        # A service's view of the gateway's revoked tokens (chassis.revocations), if it checks.
        self.revocations: RevocationFeed | None = None

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises Unauthorized otherwise."""
        try:
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                audience=self.audience,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"The token is not valid: {exc}.") from exc
        if self.revocations is not None and self.revocations.revoked(claims.get("jti")):
            raise Unauthorized("The token was revoked (signed out or account deactivated).")
        roles = claims.get("roles") or []
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthorized("The token's roles are malformed.")
        return Principal(
            username=str(claims["sub"]),
            roles=tuple(r for r in roles if r in ROLES),
            nip=claims.get("nip"),
            unit=claims.get("unit"),
        )


class Auth:
    """Flask extension: loads the public key and verifies the bearer token of a request."""

    def init_app(self, app: Flask, check_revocations: bool = False) -> None:
        """Read the public key named by the settings (it must exist: see `sofifi keys`); with
        `check_revocations` (services), also refuse the tokens the gateway lists as revoked."""
        settings = app.config["SETTINGS"]
        pem = Path(settings.jwt_public_key_file).read_bytes()
        verifier = TokenVerifier(pem, settings.jwt_issuer, settings.jwt_audience)
        if check_revocations and settings.revocation_refresh_seconds > 0:
            from chassis.revocations import RevocationFeed

            verifier.revocations = RevocationFeed(
                settings.gateway_url,
                verifier.public_key,
                settings.jwt_issuer,
                settings.revocation_refresh_seconds,
            )
        app.extensions["auth"] = verifier


def bearer_token() -> str | None:
    """The bearer token of the current request, if it carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def optional_principal() -> Principal | None:
    """The verified caller when the request carries a token; None for a public call."""
    if bearer_token() is None:
        return None
    return current_principal()


def current_principal() -> Principal:
    """The verified caller of this request; raises Unauthorized without a valid token."""
    if "principal" not in g:
        token = bearer_token()
        if token is None:
            raise Unauthorized()
        g.principal = current_app.extensions["auth"].verify(token)
    return g.principal


def roles_required(*roles: str) -> Callable[[F], F]:
    """Let the view run only for a valid token holding one of `roles` (401 / 403 otherwise)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s): {sorted(unknown)}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if not principal.has_any(roles):
                raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
