"""`POST /api/v1/auth/token` (username + password -> RS256 token) and `GET /api/v1/auth/me`."""

from __future__ import annotations

import time
import uuid

from flask_smorest import Blueprint

from chassis.auth import bearer_token, current_principal, sign_token
from chassis.errors import Unauthorized, Unprocessable
from chassis.web import transaction
from gateway import revocation, throttle
from gateway.models import User
from gateway.schemas import (
    PasswordChangeSchema,
    PrincipalSchema,
    TokenRequestSchema,
    TokenSchema,
)
from gateway.state import gateway_state
from gateway.users import (
    BAD_CREDENTIALS,
    InactiveAccount,
    InvalidUser,
    authenticate,
    change_password,
)


class DeactivatedAccount(Unauthorized):
    """A right password for a deactivated account: the API's one 401; the sign-in page says why."""

    message = BAD_CREDENTIALS


blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Tokens")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def token(credentials: dict):
    """Exchange a username and password for a bearer token (rate-limited per client, and per
    account after repeated wrong passwords)."""
    return issued_token(signed_in_user(credentials["username"], credentials["password"]))


def signed_in_user(username: str, password: str) -> User:
    """The user with these credentials; 401 (one message whatever was wrong), or 429 while the
    account is locked after repeated wrong passwords (gateway.throttle)."""
    inactive = False
    with transaction() as uow:
        throttle.refuse_if_locked(uow.session, username)
        try:
            user = authenticate(uow, username, password, tell_inactive=True)
        except InactiveAccount:
            user, inactive = None, True
        if user is not None:
            throttle.record_success(uow.session, user.username)
    if user is None:
        with transaction() as uow:
            throttle.record_failure(uow.session, username)
        # One message whatever was wrong: it must not tell which usernames exist.
        raise (DeactivatedAccount if inactive else Unauthorized)(BAD_CREDENTIALS)
    return user


def issued_token(user: User) -> dict:
    """A signed token for an authenticated user, as the token endpoint answers it."""
    state = gateway_state()
    settings = state.settings
    jti = uuid.uuid4().hex
    issued_at = int(time.time())
    with transaction() as uow:
        revocation.record_issued(
            uow.session, user.username, jti, issued_at + settings.jwt_ttl_seconds
        )
    access_token = sign_token(
        state.signing_key,
        jti=jti,
        now=issued_at,
        subject=user.username,
        roles=user.roles,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.jwt_ttl_seconds,
        nip=user.nip,
        unit=user.unit,
    )
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": settings.jwt_ttl_seconds,
        "roles": sorted(user.roles),
        "nip": user.nip,
        "unit": user.unit,
        "must_change_password": bool(user.must_change_password),
    }


@blp.route("/me")
@blp.response(200, PrincipalSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.doc(security=[{"bearerAuth": []}])
def me():
    """The caller as their token describes them."""
    return current_principal()


@blp.route("/logout", methods=["POST"])
@blp.response(204)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.doc(security=[{"bearerAuth": []}])
def logout():
    """Sign out: the caller's token is refused from now on, everywhere behind the gateway."""
    principal = current_principal()
    state = gateway_state()
    jti, expires = state.tokens.claims(bearer_token() or "")
    if jti is None:
        raise Unauthorized("This token has no id and cannot be signed out; let it expire.")
    with transaction() as uow:
        revocation.revoke_token(uow.session, principal.username, jti, int(expires))
    state.tokens.revocations.reload()  # this process refuses it at once; others within seconds


@blp.route("/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.doc(security=[{"bearerAuth": []}])
def password(values: dict):
    """Change the caller's password (the current one is checked); ends a forced change."""
    try:
        new_password_for(
            current_principal().username, values["current_password"], values["new_password"]
        )
    except InvalidUser as exc:
        raise Unprocessable.field(exc.field, exc.reason) from exc


def new_password_for(username: str, current: str, new: str) -> None:
    """Change a password (raises InvalidUser); wrong current passwords count towards the
    account's lock like wrong sign-ins (a stolen session cannot guess the password freely)."""
    try:
        with transaction() as uow:
            throttle.refuse_if_locked(uow.session, username)
            change_password(uow, username, current, new)
    except InvalidUser as exc:
        if exc.field == "current_password":
            with transaction() as uow:
                throttle.record_failure(uow.session, username)
        raise
