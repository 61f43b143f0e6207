"""Career development (manajemen talenta ASN): an employee's place on the talent map for their
supervision chain and BKD, and individual development plans (IDP) with their actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.calls import call
from gateway.combined import this_year
from gateway.web.identity import current_user, signed_in
from gateway.web.labels import N_
from gateway.web.render import service_problem

blp = Blueprint("career", __name__, url_prefix="/karier")
NAV = [("career.idp_lookup", N_("Karier"), ("admin", "supervisor"))]
ACTION_KINDS = ("COURSE", "COACHING_MENTORING", "ROTATION", "ASSIGNMENT")


@blp.get("/talenta")
@signed_in("admin", "supervisor")
def placement_lookup():
    """Go to the talent map placement of the NIP asked for."""
    nip = (request.args.get("nip") or "").strip()
    if not nip:
        return redirect(url_for("career.idp_lookup"))
    return redirect(url_for("career.placement", nip=nip, year=request.args.get("year")))


@blp.get("/talenta/<nip>")
@signed_in("admin", "supervisor")
def placement(nip: str):
    """An employee's box on the year's 9-box talent map (BKD and their supervision chain)."""
    year = request.args.get("year", type=int) or this_year()
    reply = call("training", "GET", f"talent/map/{year}/{nip}", current_user().token)
    if reply.status == 404:
        return render_template(
            "refused.html",
            title=_("Belum dipetakan"),
            status=404,
            message=_("Pegawai ini belum ada di peta talenta tahun %(year)s.", year=year),
        ), 404
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "career/placement.html", title=_("Peta talenta %(year)s", year=year), p=reply.data
    )


@blp.route("/idp", methods=["GET", "POST"])
@signed_in("admin", "supervisor", "employee")
def idp_lookup():
    """Open an IDP by its number; BKD opens a new one for a pool member or a box 1-3 employee."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.args.get("id"):
        return redirect(url_for("career.idp", plan_id=request.args["id"].strip()))
    if request.method == "POST" and user.has("admin"):
        body = {"nip": request.form.get("nip", "").strip(), "year": request.form.get("year")}
        reply = call("training", "POST", "development-plans", user.token, json_body=body)
        if reply.ok:
            flash(_("IDP %(id)s dibuat.", id=reply.data["plan_id"]))
            return redirect(url_for("career.idp", plan_id=reply.data["plan_id"]))
        errors = reply.field_errors() or {"nip": reply.message()}
    return render_template(
        "career/idp_lookup.html",
        title=_("Rencana pengembangan individu (IDP)"),
        errors=errors,
        form=request.form,
        year=request.form.get("year") or this_year(),
    ), (422 if errors else 200)


@blp.route("/idp/<plan_id>", methods=["GET", "POST"])
@signed_in("admin", "supervisor", "employee")
def idp(plan_id: str):
    """An IDP: its reason, actions by target date and JP planned and done; BKD adds actions."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST" and user.has("admin"):
        if form.get("action_id"):
            reply = call(
                "training",
                "POST",
                f"development-plans/{plan_id}/actions/{form['action_id']}/done",
                user.token,
                json_body={"done_on": form.get("done_on")},
            )
            field = "done_on"
        else:
            body = {"kind": form.get("kind"), "target_date": form.get("target_date") or None}
            for name in ("title", "course_id"):
                if form.get(name, "").strip():
                    body[name] = form[name].strip()
            reply = call(
                "training",
                "POST",
                f"development-plans/{plan_id}/actions",
                user.token,
                json_body=body,
            )
            field = "kind"
        if reply.ok:
            flash(_("Tersimpan."))
            return redirect(url_for("career.idp", plan_id=plan_id))
        errors = reply.field_errors() or {field: reply.message()}
    found = call("training", "GET", f"development-plans/{plan_id}", user.token)
    if not found.ok:
        return service_problem(found)
    courses = call("training", "GET", "courses", user.token) if user.has("admin") else None
    return render_template(
        "career/idp.html",
        title=_("IDP %(id)s", id=plan_id),
        plan=found.data,
        courses=courses.data if courses is not None and courses.ok else [],
        kinds=ACTION_KINDS,
        errors=errors,
        form=form,
    ), (422 if errors else 200)
