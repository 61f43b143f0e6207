"""Training for staff: the catalogue and its sessions, asking for a place, my JP against the
20-JP minimum, my enrolments and needs; a supervisor's decisions on requests."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.calls import Reply, call
from gateway.combined import this_year
from gateway.web.identity import SignedIn, current_user, signed_in
from gateway.web.labels import N_, label
from gateway.web.render import service_problem

blp = Blueprint("training_pages", __name__, url_prefix="/pelatihan")
NAV = [
    ("training_pages.catalogue", N_("Pelatihan"), ("employee", "supervisor", "admin")),
    ("training_pages.mine", N_("JP saya"), ("employee",)),
]
# PP 11/2017 as amended by PP 17/2020: at least 20 JP of competency development a year.
MINIMUM_JP = 20
COMPETENCY_TYPES = ("TEKNIS", "MANAJERIAL", "SOSIAL_KULTURAL")


def _year() -> int:
    year = request.values.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else this_year()


def _needs(user: SignedIn) -> Reply:
    return call("training", "GET", "needs", user.token, query={"nip": user.nip, "page_size": 500})


@blp.get("")
@signed_in("employee", "supervisor", "admin")
def catalogue():
    """The year's sessions of the catalogue, by start date, with the seats still free."""
    user = current_user()
    year = _year()
    competency = (request.args.get("competency") or "").strip()
    reply = call(
        "training", "GET", "sessions", user.token, query={"year": year, "competency": competency}
    )
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "training/catalogue.html",
        title=_("Katalog pelatihan %(year)s", year=year),
        year=year,
        competency=competency,
        sessions=reply.data,
    )


@blp.route("/sesi/<session_id>", methods=["GET", "POST"])
@signed_in("employee", "supervisor", "admin")
def session_page(session_id: str):
    """One session; an employee asks for a place, a supervisor or BKD nominates someone."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        note = form.get("note", "").strip() or None
        nominating = form.get("action") == "nominate" and user.has("admin", "supervisor")
        if nominating:
            body: dict[str, Any] = {"session_id": session_id, "nip": form.get("nip", "").strip()}
            need_id = form.get("nominee_need", "").strip() or None
            body.update(need_id=need_id, waitlist=form.get("waitlist") == "1")
            reply = call("training", "POST", "enrolments", user.token, json_body=body)
        else:
            need_id = form.get("need_id") or None
            body = {"session_id": session_id, "need_id": need_id, "note": note}
            reply = call("training", "POST", "enrolments/requests", user.token, json_body=body)
        if reply.ok:
            flash(_("Pendaftaran dicatat: %(status)s.", status=label(reply.data["status"])))
            target = "training_pages.catalogue" if nominating else "training_pages.mine"
            return redirect(url_for(target))
        errors = _errors(reply, "nip" if nominating else "need_id")
        if nominating and "need_id" in errors:
            errors["nominee_need"] = errors.pop("need_id")
    found = call("training", "GET", f"sessions/{session_id}", user.token)
    if not found.ok:
        return service_problem(found)
    needs: list[dict] = []
    if user.nip and user.has("employee"):
        mine = _needs(user)
        needs = [
            n
            for n in (mine.data if mine.ok else [])
            if n["status"] == "OPEN" and n["competency"] == found.data["competency"]
        ]
    return render_template(
        "training/session.html",
        title=found.data["course_title"],
        session=found.data,
        needs=needs,
        errors=errors,
        form=form,
    ), (422 if errors else 200)


def _errors(reply: Reply, field: str) -> dict[str, str]:
    found = reply.field_errors()
    if reply.status == 422 and found:
        # The service names body fields; the page's fields carry the same names.
        return found
    return {field: reply.message()}


@blp.get("/saya")
@signed_in("employee")
def mine():
    """My JP this year against the 20-JP minimum, my enrolments and my training needs."""
    user = current_user()
    year = _year()
    if not user.nip:
        return render_template(
            "refused.html",
            title=_("JP saya"),
            message=_("Akun Anda tidak terhubung dengan NIP."),
            status=404,
        ), 404
    ledger = call("training", "GET", f"ledger/{year}/{user.nip}", user.token)
    if not ledger.ok:
        return service_problem(ledger)
    enrolments = call(
        "training", "GET", "enrolments", user.token, query={"nip": user.nip, "page_size": 500}
    )
    needs = _needs(user)
    sessions = {}
    for item in enrolments.data if enrolments.ok else []:
        if item["session_id"] not in sessions:
            found = call("training", "GET", f"sessions/{item['session_id']}", user.token)
            sessions[item["session_id"]] = found.data if found.ok else None
    total = ledger.data["total"]
    return render_template(
        "training/mine.html",
        title=_("JP saya %(year)s", year=year),
        year=year,
        ledger=ledger.data,
        minimum=ledger.data.get("minimum") or MINIMUM_JP,
        share=min(100.0, 100.0 * total / (ledger.data.get("minimum") or MINIMUM_JP)),
        enrolments=enrolments.data if enrolments.ok else None,
        sessions=sessions,
        needs=needs.data if needs.ok else None,
        types=COMPETENCY_TYPES,
    )


@blp.route("/permintaan", methods=["GET", "POST"])
@signed_in("supervisor", "admin")
def requests():
    """Requests for a place waiting for the supervisor's (or BKD's) decision."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        enrolment_id = request.form.get("enrolment_id", "")
        approve = request.form.get("decision") == "approve"
        reply = call(
            "training",
            "POST",
            f"enrolments/{enrolment_id}/decision",
            user.token,
            json_body={"approve": approve, "note": request.form.get("note", "").strip() or None},
        )
        if reply.ok:
            flash(_("Keputusan dicatat: %(status)s.", status=label(reply.data["status"])))
            return redirect(url_for("training_pages.requests"))
        errors = {f"note-{enrolment_id}": reply.message()}
    reply = call(
        "training", "GET", "enrolments", user.token, query={"status": "REQUESTED", "page_size": 500}
    )
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "training/requests.html",
        title=_("Permintaan pelatihan"),
        items=reply.data,
        errors=errors,
    ), (409 if errors else 200)
