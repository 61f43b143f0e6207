"""Training for BKD: JP compliance per unit (chart and exports), the annual plan solved as a
job, and the catalogue (providers, courses, sessions)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.calls import Reply, call
from gateway.combined import this_year
from gateway.web.export import spreadsheet
from gateway.web.identity import current_user, signed_in
from gateway.web.labels import N_, label
from gateway.web.render import service_problem

blp = Blueprint("training_admin", __name__, url_prefix="/pelatihan/bkd")
NAV = [("training_admin.compliance", N_("Kepatuhan JP"), ("admin",))]
UNIT_COLUMNS = ("unit", "employees", "compliant", "rate", "at_risk", "jp_total")
PROVIDER_KINDS = ("BPSDM", "LAN", "UNIVERSITY", "NGO", "PROFESSIONAL_BODY", "OTHER")
MODES = ("CLASSICAL", "E_LEARNING", "BLENDED", "COACHING_MENTORING", "ON_THE_JOB")
COMPETENCY_TYPES = ("TEKNIS", "MANAJERIAL", "SOSIAL_KULTURAL")
FIELDS = {
    "provider": ("name", "kind"),
    "course": (
        "title",
        "competency_type",
        "competency",
        "mode",
        "jp",
        "cost_per_participant",
        "provider_id",
    ),
    "session": ("course_id", "starts_on", "ends_on", "place", "link", "capacity", "price"),
}


def _year() -> int:
    year = request.values.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else this_year()


@blp.get("/kepatuhan")
@signed_in("admin")
def compliance():
    """Per unit the share of employees with at least 20 JP this year, as bars and a table."""
    user = current_user()
    year = _year()
    reply = call("training", "GET", f"ledger/{year}/units", user.token)
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "training/compliance.html",
        title=_("Kepatuhan 20 JP per unit kerja %(year)s", year=year),
        year=year,
        units=reply.data,
    )


@blp.get("/kepatuhan-<int:year>.<kind>")
@signed_in("admin")
def compliance_download(year: int, kind: str):
    """The compliance per unit as CSV or XLSX."""
    reply = call("training", "GET", f"ledger/{year}/units", current_user().token)
    if kind not in ("csv", "xlsx"):
        return render_template("refused.html", title=_("Tidak ditemukan"), status=404), 404
    if not reply.ok:
        return service_problem(reply)
    rows = ([u.get(c) for c in UNIT_COLUMNS] for u in reply.data)
    return spreadsheet(f"kepatuhan-jp-{year}", kind, UNIT_COLUMNS, rows)


@blp.get("/buku-jp-<int:year>.<kind>")
@signed_in("admin")
def ledger_download(year: int, kind: str):
    """Every employee's JP of the year (the service's own export), as CSV or XLSX."""
    if kind not in ("csv", "xlsx"):
        return render_template("refused.html", title=_("Tidak ditemukan"), status=404), 404
    unit = (request.args.get("unit") or "").strip() or None
    reply = call(
        "training",
        "GET",
        f"ledger/{year}/export",
        current_user().token,
        query={"format": kind, "unit": unit},
    )
    if not reply.ok:
        return service_problem(reply)
    name = f"buku-jp-{year}" + (f"-{unit}" if unit else "")
    return Response(
        reply.body,
        content_type=reply.content_type,
        headers={"Content-Disposition": f"attachment; filename={name}.{kind}"},
    )


@blp.route("/rencana", methods=["GET", "POST"])
@signed_in("admin")
def plans():
    """The year's plans; solve a new one within a budget (a job whose progress is followed)."""
    user = current_user()
    year = _year()
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        budget = form.get("budget", "").replace(".", "").strip()
        if not budget.isdigit():
            errors["budget"] = _("Isi anggaran dalam rupiah (angka)")
        else:
            reply = call(
                "training",
                "POST",
                "plans",
                user.token,
                query={"async": "true"},
                json_body={"year": year, "budget": int(budget), "method": form.get("method")},
            )
            if reply.status == 202:
                return redirect(url_for("jobs.job", service="training", job_id=reply.data["id"]))
            if reply.ok:
                return redirect(url_for("training_admin.plan", plan_id=reply.data["plan_id"]))
            errors = reply.field_errors() or {"budget": reply.message()}
    reply = call("training", "GET", "plans", user.token, query={"year": year})
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "training/plans.html",
        title=_("Rencana pengembangan kompetensi tahunan"),
        year=year,
        plans=reply.data,
        errors=errors,
        form=form,
    ), (422 if errors else 200)


@blp.route("/rencana/<plan_id>", methods=["GET", "POST"])
@signed_in("admin")
def plan(plan_id: str):
    """A plan: what it covers and why, what it leaves out; adopt it as enrolments."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        reply = call("training", "POST", f"plans/{plan_id}/adopt", user.token)
        if reply.ok:
            flash(_("Rencana ditetapkan: %(n)s pendaftaran dibuat.", n=reply.data["enrolments"]))
            return redirect(url_for("training_admin.plan", plan_id=plan_id))
        errors = {"adopt": _adopt_problem(reply)}
    found = call("training", "GET", f"plans/{plan_id}", user.token)
    if not found.ok:
        return service_problem(found)
    covered = request.args.get("tercakup", "1") != "0"
    items = call(
        "training",
        "GET",
        f"plans/{plan_id}/items",
        user.token,
        query={"covered": "true" if covered else "false", "page_size": 100},
    )
    return render_template(
        "training/plan.html",
        title=_("Rencana %(id)s", id=plan_id),
        plan=found.data,
        items=items.data if items.ok else [],
        covered=covered,
        errors=errors,
    ), (409 if errors else 200)


def _adopt_problem(reply: Reply) -> str:
    details = (reply.data or {}).get("errors") or {}
    blockers = details.get("blockers") or []
    more = f" ({len(blockers)} {_('pilihan tidak lagi muat')})" if blockers else ""
    return reply.message() + more


@blp.route("/katalog", methods=["GET", "POST"])
@signed_in("admin")
def manage():
    """The catalogue: register providers, add courses and schedule sessions."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    action = form.get("action", "")
    if request.method == "POST" and action in FIELDS:
        body = _body(action, form)
        path = {"provider": "providers", "course": "courses", "session": "sessions"}[action]
        reply = call("training", "POST", path, user.token, json_body=body)
        if reply.ok:
            flash(_("Tersimpan."))
            return redirect(url_for("training_admin.manage"))
        found = reply.field_errors()
        # The page's fields are prefixed by their form (`course-title`), the API's are not.
        errors = {f"{action}-{k}": v for k, v in found.items()} or {
            f"{action}-{FIELDS[action][0]}": reply.message()
        }
    providers = call("training", "GET", "providers", user.token)
    courses = call("training", "GET", "courses", user.token)
    if not providers.ok or not courses.ok:
        return service_problem(providers if not providers.ok else courses)
    return render_template(
        "training/manage.html",
        title=_("Kelola katalog pelatihan"),
        providers=providers.data,
        courses=courses.data,
        errors=errors,
        form=form if errors else {},
        kinds=PROVIDER_KINDS,
        modes=MODES,
        types=COMPETENCY_TYPES,
    ), (422 if errors else 200)


def _body(action: str, form: Any) -> dict[str, Any]:
    values = {k: form.get(f"{action}-{k}", "").strip() for k in FIELDS[action]}
    if action == "course":
        values["cost_per_participant"] = _number(values["cost_per_participant"])
        values["jp"] = _number(values["jp"], float)
    if action == "session":
        values["capacity"] = _number(values["capacity"])
        values["price"] = _number(values["price"]) if values["price"] else None
        for key in ("place", "link"):
            values[key] = values[key] or None
    return values


def _number(text: str, kind: type = int) -> Any:
    """A number typed as `1.500.000` or `24,5`; the text itself when it is none (the service
    then names the field)."""
    cleaned = text.replace(".", "").replace(",", ".") if kind is float else text.replace(".", "")
    try:
        return kind(cleaned)
    except ValueError:
        return text


@blp.route("/sesi/<session_id>/peserta", methods=["GET", "POST"])
@signed_in("admin")
def participants(session_id: str):
    """A session's participants; BKD records attendance, the result and the certificate."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        enrolment_id = form.get("enrolment_id", "")
        passed = form.get("result") == "passed"
        body = {
            "attended": form.get("result") != "absent",
            "passed": passed,
            "certificate_number": form.get("certificate_number", "").strip() or None,
        }
        reply = call(
            "training", "POST", f"enrolments/{enrolment_id}/completion", user.token, json_body=body
        )
        if reply.ok:
            flash(_("Hasil pelatihan dicatat: %(status)s.", status=label(reply.data["status"])))
            return redirect(url_for("training_admin.participants", session_id=session_id))
        errors = {f"certificate-{enrolment_id}": reply.message()}
    found = call("training", "GET", f"sessions/{session_id}", user.token)
    if not found.ok:
        return service_problem(found)
    listed = call(
        "training",
        "GET",
        "enrolments",
        user.token,
        query={"session_id": session_id, "page_size": 500},
    )
    if not listed.ok:
        return service_problem(listed)
    return render_template(
        "training/participants.html",
        title=_("Peserta %(t)s", t=found.data["course_title"]),
        session=found.data,
        items=listed.data,
        errors=errors,
    ), (422 if errors else 200)
