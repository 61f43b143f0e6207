"""Request and response schemas of the gateway's own endpoints."""

from __future__ import annotations

import marshmallow as ma

from chassis.auth import ROLES


class TokenRequestSchema(ma.Schema):
    """Credentials exchanged for a token."""

    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    password = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=1024), load_only=True
    )


class PrincipalSchema(ma.Schema):
    """Who a token speaks for."""

    username = ma.fields.String(required=True)
    roles = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(ROLES)),
        required=True,
        metadata={"description": f"Subset of: {', '.join(ROLES)}"},
    )
    nip = ma.fields.String(allow_none=True, metadata={"description": "The user's NIP, if any"})
    unit = ma.fields.String(allow_none=True, metadata={"description": "The user's unit code"})


class TokenSchema(ma.Schema):
    """A signed RS256 bearer token and what it grants."""

    access_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "Seconds"})
    roles = ma.fields.List(ma.fields.String(), required=True)
    nip = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    must_change_password = ma.fields.Boolean(
        metadata={"description": "Choose a new password (POST /api/v1/auth/password) first"}
    )


class PasswordChangeSchema(ma.Schema):
    """The current password and the new one."""

    current_password = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=1024), load_only=True
    )
    new_password = ma.fields.String(required=True, load_only=True)
