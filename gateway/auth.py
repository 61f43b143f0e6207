"""`POST /api/v1/auth/token` (username + password -> RS256 token) and `GET /api/v1/auth/me`."""

from __future__ import annotations

from flask_smorest import Blueprint

from chassis.auth import current_principal, sign_token
from chassis.db import request_session
from gateway.models import User
from gateway.schemas import PrincipalSchema, TokenRequestSchema, TokenSchema
from gateway.state import gateway_state
from gateway.users import authenticate

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Tokens")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def token(credentials: dict):
    """Exchange a username and password for a bearer token (rate-limited per client)."""
    user = authenticate(request_session(), credentials["username"], credentials["password"])
    return issued_token(user)


def issued_token(user: User) -> dict:
    """A signed token for an authenticated user, as the token endpoint answers it."""
    state = gateway_state()
    settings = state.settings
    access_token = sign_token(
        state.signing_key,
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
    }


@blp.route("/me")
@blp.response(200, PrincipalSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.doc(security=[{"bearerAuth": []}])
def me():
    """The caller as their token describes them."""
    return current_principal()
