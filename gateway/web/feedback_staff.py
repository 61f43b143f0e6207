"""Citizen feedback for staff: the report queue with SLA flags, a report's page with the moves
its state allows, the unit's consultations, IKM results and the statistics export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.calls import call
from gateway.web.export import spreadsheet
from gateway.web.identity import SignedIn, current_user, signed_in
from gateway.web.labels import N_
from gateway.web.render import WIT, service_problem
from gateway.web.sla import flagged, working_day_rule

blp = Blueprint("feedback_staff", __name__, url_prefix="/pengaduan/kelola")
NAV = [
    ("feedback_staff.queue", N_("Pengaduan"), ("admin", "officer")),
]
STATUSES = (
    "RECEIVED",
    "VERIFIED",
    "DISPOSITIONED",
    "IN_FOLLOW_UP",
    "RESOLVED",
    "CLOSED",
    "REJECTED",
    "FORWARDED",
)
# What the page offers (the service decides): action -> (from states, admin only, field needed).
ACTIONS: dict[str, tuple[tuple[str, ...], bool, str | None]] = {
    "verify": (("RECEIVED",), True, None),
    "disposition": (("VERIFIED",), True, "unit"),
    "respond": (("DISPOSITIONED",), False, "note"),
    "resolve": (("IN_FOLLOW_UP",), False, "note"),
    "close": (("RESOLVED",), True, None),
    "question": (("RECEIVED", "VERIFIED", "DISPOSITIONED", "IN_FOLLOW_UP"), False, "question"),
    "reject": (("RECEIVED", "VERIFIED"), True, "note"),
    "forward": (("RECEIVED", "VERIFIED"), True, "forwarded_to"),
    "merge": (("RECEIVED", "VERIFIED", "DISPOSITIONED", "IN_FOLLOW_UP"), True, "into"),
}
STAT_COLUMNS = ("unit", "received", "open", "resolved", "responded", "mean_response_hours")
PAGE_SIZE = 50


def today():
    """Today in Sofifi (WIT)."""
    return datetime.now(WIT).date()


@blp.get("")
@signed_in("admin", "officer")
def queue():
    """The work list, earliest due first, with SLA flags; an officer sees their unit's."""
    user = current_user()
    args = request.args
    status = args.get("status") if args.get("status") in STATUSES else None
    overdue = "true" if args.get("overdue") == "1" else None
    page = max(args.get("page", 1, type=int), 1)
    query = {"status": status, "overdue": overdue, "page": page, "page_size": PAGE_SIZE}
    if user.has("admin"):
        query["unit"] = args.get("unit", "").strip()
    reply = call("feedback", "GET", "reports", user.token, query=query)
    if not reply.ok:
        return service_problem(reply)
    day = today()
    calendar = call("feedback", "GET", f"calendar/{day.year}", user.token)
    rule = working_day_rule(calendar.data if calendar.ok else None)
    return render_template(
        "feedback/queue.html",
        title=_("Antrean pengaduan"),
        items=flagged(reply.data["items"], day, rule),
        total=reply.data["total"],
        page=page,
        pages=max((reply.data["total"] + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        statuses=STATUSES,
        filters={
            "status": status or "",
            "unit": query.get("unit", ""),
            "overdue": "1" if overdue else "",
        },
    )


def offered(report: dict[str, Any], user: SignedIn) -> list[str]:
    """The moves the page offers for this report and user (the service still decides)."""
    if report.get("merged_into"):
        return []
    paused = report.get("paused_on") is not None
    moves = [
        action
        for action, (sources, admin_only, _field) in ACTIONS.items()
        if report["status"] in sources and (user.has("admin") or not admin_only)
    ]
    if paused:
        moves = [m for m in moves if m in ("reject", "forward")]
    return moves


@blp.route("/laporan/<number>", methods=["GET", "POST"])
@signed_in("admin", "officer")
def report(number: str):
    """One report, its history and the moves its state allows."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = _act(user, number, request.form)
        if not errors:
            return redirect(url_for("feedback_staff.report", number=number))
    reply = call("feedback", "GET", f"reports/{number}", user.token)
    if not reply.ok:
        return service_problem(reply)
    data = reply.data
    return render_template(
        "feedback/staff_report.html",
        title=_("Laporan %(n)s", n=number),
        r=data,
        moves=offered(data, user),
        finding=user.has("admin")
        and data["kind"] == "COMPLAINT"
        and data.get("employee_nip")
        and data["status"] in ("IN_FOLLOW_UP", "RESOLVED")
        and not data.get("finding"),
        errors=errors,
        form=request.form if errors else {},
    ), (422 if errors else 200)


def _act(user: SignedIn, number: str, form: Any) -> dict[str, str]:
    action = form.get("action", "")
    if action == "finding":
        body: dict[str, Any] = {
            "substantiated": form.get("substantiated") == "1",
            "note": form.get("note", "").strip() or None,
        }
        if form.get("severity"):
            body["severity"] = form["severity"]
        field = "severity"
    elif action in ACTIONS:
        field = ACTIONS[action][2] or "action"
        value = form.get(field, "").strip() if field != "action" else ""
        if field != "action" and not value:
            return {f"{action}-{field}": _("Isi kolom ini")}
        body = {field: value} if field != "action" else {}
        if action in ("disposition", "forward") and form.get("note", "").strip():
            body["note"] = form["note"].strip()
    else:
        return {"action": _("Pilih tindakan")}
    reply = call("feedback", "POST", f"reports/{number}/{action}", user.token, json_body=body)
    if reply.ok:
        flash(_("Tindakan disimpan: %(a)s.", a=_(MOVE_LABELS.get(action, action))))
        return {}
    if reply.status == 409:
        return {"action": _("Tidak dapat dilakukan: %(why)s", why=reply.message())}
    found = reply.field_errors()
    if found:
        return {f"{action}-{k}" if action in ACTIONS else k: v for k, v in found.items()}
    return {"action": reply.message()}


MOVE_LABELS = {
    "verify": N_("Verifikasi"),
    "disposition": N_("Disposisikan"),
    "respond": N_("Tanggapi"),
    "resolve": N_("Selesaikan"),
    "close": N_("Tutup"),
    "question": N_("Tanyakan ke pelapor"),
    "reject": N_("Tolak"),
    "forward": N_("Alihkan"),
    "merge": N_("Gabungkan sebagai duplikat"),
    "finding": N_("Hasil pemeriksaan"),
}


@blp.get("/laporan/<number>/lampiran/<int:attachment_id>")
@signed_in("admin", "officer")
def attachment(number: str, attachment_id: int):
    """An attachment's bytes, as the service checked them (a download, never shown inline)."""
    user = current_user()
    reply = call("feedback", "GET", f"reports/{number}/attachments/{attachment_id}", user.token)
    if not reply.ok:
        return service_problem(reply)
    kind = reply.content_type.split(";")[0] or "application/octet-stream"
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(kind, "bin")
    return Response(
        reply.body,
        mimetype=kind,
        headers={
            "Content-Disposition": f"attachment; filename={number}-{attachment_id}.{extension}"
        },
    )


@blp.route("/konsultasi", methods=["GET", "POST"])
@signed_in("admin", "officer")
def consultations():
    """The unit's consultations (an admin's: every unit's), and a new one."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        body = {k: form.get(k, "").strip() for k in ("title", "draft", "closes_on", "audience")}
        body["unit"] = form.get("unit", "").strip() if user.has("admin") else (user.unit or "")
        body["audience"] = body["audience"] or "PUBLIC"
        for name in ("unit", "title", "draft", "closes_on"):
            if not body[name]:
                errors[name] = _("Isi kolom ini")
        if not errors:
            reply = call("feedback", "POST", "consultations", user.token, json_body=body)
            if reply.ok:
                flash(_("Konsultasi publik dibuka."))
                return redirect(url_for("feedback_staff.consultations"))
            errors = reply.field_errors() or {"title": reply.message()}
    unit = None if user.has("admin") else user.unit
    reply = call("feedback", "GET", "consultations", user.token, query={"unit": unit})
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "feedback/staff_consultations.html",
        title=_("Konsultasi publik unit"),
        consultations=reply.data,
        form=form,
        errors=errors,
    ), (422 if errors else 200)


@blp.route("/konsultasi/<int:consultation_id>", methods=["GET", "POST"])
@signed_in("admin", "officer")
def moderation(consultation_id: int):
    """Moderate a consultation (hide or show a comment with a reason) and write its summary."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.get("action") == "summary":
            text = form.get("summary", "").strip()
            path, body, field = (
                f"consultations/{consultation_id}/summary",
                {"summary": text},
                "summary",
            )
        else:
            cid = form.get("comment", type=int)
            path = f"consultations/{consultation_id}/comments/{cid}/moderation"
            body = {"hidden": form.get("hidden") == "1", "reason": form.get("reason", "").strip()}
            field = "reason"
        reply = call("feedback", "POST", path, user.token, json_body=body)
        if reply.ok:
            flash(_("Perubahan disimpan."))
            return redirect(url_for("feedback_staff.moderation", consultation_id=consultation_id))
        errors = {field: reply.field_errors().get(field) or reply.message()}
    reply = call("feedback", "GET", f"consultations/{consultation_id}", user.token)
    if not reply.ok:
        return service_problem(reply)
    log = call("feedback", "GET", f"consultations/{consultation_id}/moderation", user.token)
    return render_template(
        "feedback/staff_consultation.html",
        title=reply.data["title"],
        c=reply.data,
        log=log.data if log.ok else {"moderations": [], "flagged": []},
        errors=errors,
    ), (422 if errors else 200)


@blp.get("/statistik")
@signed_in("admin")
def statistics():
    """Report statistics per unit, with CSV and XLSX downloads (admins)."""
    reply = call("feedback", "GET", "public/reports/statistics", None)
    if not reply.ok:
        return service_problem(reply)
    kind = request.args.get("unduh")
    if kind in ("csv", "xlsx"):
        rows = ([u.get(c) for c in STAT_COLUMNS] for u in reply.data["units"])
        return spreadsheet("statistik-pengaduan", kind, STAT_COLUMNS, rows)
    return render_template(
        "feedback/statistics.html",
        title=_("Statistik pengaduan"),
        units=reply.data["units"],
        export=True,
    )
