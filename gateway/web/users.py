"""User management pages (admin): list, create, roles, deactivate, accounts from the roster."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from chassis.auth import ROLES
from chassis.db import request_session
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
from gateway.users import InvalidUser, create_user, user_problems
from gateway.web.identity import current_user, signed_in
from gateway.web.labels import N_
from gateway.web.render import service_problem

blp = Blueprint("people", __name__, url_prefix="/pengguna")
NAV = [("people.index", N_("Pengguna"), ("admin",))]
PAGE_SIZE = 50


@blp.get("")
@signed_in("admin")
def index():
    """Accounts, searchable by the start of username, NIP or unit."""
    q = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int), 1)
    users, total = find_users(request_session(), q or None, page, PAGE_SIZE)
    return render_template(
        "users/index.html",
        title=_("Pengguna"),
        users=users,
        total=total,
        q=q,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
    )


@blp.route("/baru", methods=["GET", "POST"])
@signed_in("admin")
def new():
    """Create one account."""
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        roles = form.getlist("roles")
        nip, unit = form.get("nip", "").strip() or None, form.get("unit", "").strip() or None
        errors = user_problems(form.get("username", ""), form.get("password", ""), roles, nip, unit)
        if not errors:
            try:
                with transaction() as uow:
                    create_user(
                        uow,
                        form["username"],
                        form["password"],
                        roles,
                        nip,
                        unit,
                        must_change_password=True,
                    )
            except InvalidUser as exc:
                errors = {exc.field: exc.reason}
            else:
                flash(_("Akun %(name)s dibuat.", name=form["username"].strip().lower()))
                return redirect(url_for("people.index"))
    return render_template(
        "users/new.html", title=_("Akun baru"), errors=errors, form=form, roles=ROLES
    ), (422 if errors else 200)


@blp.route("/<username>", methods=["GET", "POST"])
@signed_in("admin")
def edit(username: str):
    """Change an account's roles, or deactivate / reactivate it."""
    account = get_user(request_session(), username)
    if account is None:
        return render_template(
            "refused.html",
            title=_("Tidak ditemukan"),
            message=_("Pengguna tidak ditemukan."),
            status=404,
        ), 404
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action")
        changes = {
            "roles": {"roles": request.form.getlist("roles")},
            "deactivate": {"active": False},
            "activate": {"active": True},
        }.get(action or "", {})
        try:
            with transaction() as uow:
                account = get_user(uow.session, username)
                ttl = gateway_state().settings.jwt_ttl_seconds
                update_user(
                    uow, account, acting=current_user().username, ttl_seconds=ttl, **changes
                )
        except InvalidUser as exc:
            errors = {exc.field if exc.field == "roles" else "action": exc.reason}
        else:
            flash(_("Perubahan disimpan."))
            return redirect(url_for("people.edit", username=account.username))
    return render_template(
        "users/edit.html", title=account.username, account=account, roles=ROLES, errors=errors
    ), (422 if errors else 200)


@blp.route("/dari-data-pegawai", methods=["GET", "POST"])
@signed_in("admin")
def provision_page():
    """Accounts for employees on the roster without one: shown once, or as a CSV download."""
    if request.method == "GET":
        return render_template(
            "users/provision.html", title=_("Buat akun dari data pegawai"), errors={}
        )
    unit = request.form.get("unit", "").strip() or None
    try:
        roster = fetch_roster(current_user().token, unit)
    except RosterUnavailable as exc:
        return service_problem(exc.reply)
    with transaction() as uow:
        made, remaining = provision(uow, roster, roster_roles(roster))
    if request.form.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["username", "nip", "nama", "unit", "peran", "kata_sandi_sekali_pakai"])
        for p in made:
            writer.writerow([p.username, p.nip, p.name, p.unit, " ".join(p.roles), p.password])
        return Response(
            out.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=akun-baru.csv"},
        )
    return render_template(
        "users/provisioned.html", title=_("Akun dibuat"), made=made, remaining=remaining
    )
