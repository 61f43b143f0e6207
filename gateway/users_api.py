"""`/api/v1/users`: user management by admins (list, create, roles, deactivate, provision)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from chassis.auth import ROLES, bearer_token, current_principal, roles_required
from chassis.db import request_session
from chassis.errors import ApiError, Conflict, NotFound, Unprocessable
from chassis.web import transaction
from gateway.accounts import (
    RosterUnavailable,
    fetch_roster,
    find_users,
    get_user,
    provision,
    roster_roles,
    update_user,
)
from gateway.state import gateway_state
from gateway.users import InvalidUser, create_user

blp = Blueprint("users_api", __name__, url_prefix="/api/v1/users", description="User accounts")
ROLE = ma.fields.String(validate=ma.validate.OneOf(ROLES))


class UserSchema(ma.Schema):
    """An account (never its password hash)."""

    username = ma.fields.String(required=True)
    roles = ma.fields.List(ma.fields.String(), required=True)
    nip = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean(required=True)
    must_change_password = ma.fields.Boolean(
        metadata={"description": "The user must choose a new password at the next sign-in"}
    )
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class UserPageSchema(ma.Schema):
    """A page of accounts."""

    items = ma.fields.List(ma.fields.Nested(UserSchema))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    page_size = ma.fields.Integer()


class UserQuerySchema(ma.Schema):
    """Filter and page."""

    q = ma.fields.String(metadata={"description": "Start of the username, NIP or unit"})
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    page_size = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))


class UserCreateSchema(ma.Schema):
    """A new account."""

    username = ma.fields.String(required=True)
    password = ma.fields.String(required=True, load_only=True)
    roles = ma.fields.List(ROLE, required=True)
    nip = ma.fields.String(load_default=None, allow_none=True)
    unit = ma.fields.String(load_default=None, allow_none=True)


class UserUpdateSchema(ma.Schema):
    """New roles and/or active flag (deactivated accounts cannot sign in)."""

    roles = ma.fields.List(ROLE)
    active = ma.fields.Boolean()


class ProvisionSchema(ma.Schema):
    """Which part of the roster gets accounts."""

    unit = ma.fields.String(load_default=None, allow_none=True)


class ProvisionedSchema(ma.Schema):
    """An account made from the roster, with its one-time password."""

    username = ma.fields.String()
    nip = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    roles = ma.fields.List(ma.fields.String())
    password = ma.fields.String()


class ProvisionResultSchema(ma.Schema):
    """The accounts made and how many employees still have none (ask again for them)."""

    created = ma.fields.List(ma.fields.Nested(ProvisionedSchema))
    remaining = ma.fields.Integer()


class RosterDown(ApiError):
    """The recruitment service did not give the roster."""

    code = 502


def _refused(exc: InvalidUser):
    if "already exists" in exc.reason:
        return Conflict(exc.reason)
    return Unprocessable.field(exc.field, exc.reason)


@blp.route("")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserPageSchema)
@blp.doc(security=[{"bearerAuth": []}])
@roles_required("admin")
def list_users(query: dict):
    """Accounts by username; `q` filters by the start of username, NIP or unit."""
    users, total = find_users(request_session(), query.get("q"), query["page"], query["page_size"])
    return {"items": users, "total": total, "page": query["page"], "page_size": query["page_size"]}


@blp.route("", methods=["POST"])
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.doc(security=[{"bearerAuth": []}])
@roles_required("admin")
def create(values: dict):
    """Create an account (422 naming the field, 409 for a username in use)."""
    try:
        with transaction() as uow:
            # An admin chose the password: the user replaces it at the first sign-in.
            return create_user(uow, **values, must_change_password=True)
    except InvalidUser as exc:
        raise _refused(exc) from exc


@blp.route("/<username>", methods=["PATCH"])
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
@blp.doc(security=[{"bearerAuth": []}])
@roles_required("admin")
def update(values: dict, username: str):
    """Change roles or deactivate/reactivate (a deactivated account can no longer sign in)."""
    try:
        with transaction() as uow:
            user = get_user(uow.session, username)
            if user is None:
                raise NotFound(f"No user called {username}.")
            acting, ttl = current_principal().username, gateway_state().settings.jwt_ttl_seconds
            return update_user(uow, user, acting=acting, ttl_seconds=ttl, **values)
    except InvalidUser as exc:
        raise _refused(exc) from exc


@blp.route("/provision", methods=["POST"])
@blp.arguments(ProvisionSchema)
@blp.response(201, ProvisionResultSchema)
@blp.doc(security=[{"bearerAuth": []}])
@roles_required("admin")
def provision_from_roster(values: dict):
    """Accounts (username = NIP, one-time password) for employees on the roster without one."""
    try:
        roster = fetch_roster(bearer_token() or "", values.get("unit"))
    except RosterUnavailable as exc:
        raise RosterDown(f"The roster could not be read: {exc}") from exc
    with transaction() as uow:
        made, remaining = provision(uow, roster, roster_roles(roster))
    return {"created": made, "remaining": remaining}
