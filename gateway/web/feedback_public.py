"""Citizen feedback for the public (SP4N-LAPOR!, no account): send a report and follow it, the
IKM survey, public consultations, IKM results and report statistics."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from contracts.feedback import IKM_ELEMENTS
from gateway.calls import Reply, call
from gateway.web.identity import current_user
from gateway.web.labels import N_
from gateway.web.render import service_problem

blp = Blueprint("feedback_public", __name__, url_prefix="/pengaduan")
NAV = [("feedback_public.index", N_("Layanan masyarakat"), ())]
KINDS = ("COMPLAINT", "SUGGESTION", "INFORMATION_REQUEST", "COMMENDATION")
SUBJECTS = ("UNIT", "SERVICE", "EMPLOYEE")
PRIVACY = ("PUBLIC", "CONFIDENTIAL", "ANONYMOUS")
# Fixed categories, so that the same problem meets its duplicates (the service matches exactly).
CATEGORIES = (
    N_("Perizinan"),
    N_("Kepegawaian"),
    N_("Kesehatan"),
    N_("Pendidikan"),
    N_("Infrastruktur"),
    N_("Administrasi kependudukan"),
    N_("Sikap petugas"),
    N_("Lainnya"),
)
REPORT_FIELDS = ("kind", "subject", "unit", "category", "title", "body", "privacy")
OPTIONAL_FIELDS = ("service_name", "employee_name", "employee_position", "place", "incident_date")
CONTACT_FIELDS = ("name", "email", "phone")
AGE_BANDS = ("<20", "20-29", "30-39", "40-49", "50+")
EDUCATION = ("SD", "SMP", "SMA", "D3", "S1", "S2", "S3")
FOLLOW_UPS = {
    "information": ("track/information", "text"),
    "rating": ("track/rating", "rating"),
    "reopen": ("track/reopen", "reason"),
}


def _units() -> list[str]:
    reply = call("feedback", "GET", "public/directory", None)
    return reply.data.get("units", []) if reply.ok else []


def _similar(unit: str, category: str) -> list[dict]:
    if not unit or not category:
        return []
    reply = call(
        "feedback",
        "GET",
        "public/reports/similar",
        None,
        query={"unit": unit, "category": category},
    )
    return reply.data if reply.ok else []


@blp.get("")
def index():
    """The citizen's start page: report, follow, survey, consult, results."""
    return render_template("feedback/index.html", title=_("Pengaduan dan aspirasi masyarakat"))


@blp.route("/lapor", methods=["GET", "POST"])
def report():
    """Send a report; similar open reports are shown on request and after sending."""
    form = request.form
    errors: dict[str, str] = {}
    similar: list[dict] | None = None
    if request.method == "POST":
        if form.get("action") == "similar":
            similar = _similar(form.get("unit", "").strip(), form.get("category", ""))
        else:
            body, errors = _report_body(form)
            if not errors:
                reply = call("feedback", "POST", "public/reports", None, json_body=body)
                if reply.ok:
                    attached = _attach(reply.data, request.files.get("file"))
                    return render_template(
                        "feedback/sent.html",
                        title=_("Laporan terkirim"),
                        sent=reply.data,
                        attachment_error=attached,
                        similar=[
                            found
                            for found in _similar(body["unit"], body["category"])
                            if found["tracking_number"] != reply.data["tracking_number"]
                        ],
                    ), 201
                if reply.status not in (409, 422):
                    return service_problem(reply)
                errors = reply.field_errors() or {"title": reply.message()}
    return render_template(
        "feedback/report.html",
        title=_("Sampaikan laporan"),
        form=form,
        errors=errors,
        similar=similar,
        units=_units(),
        kinds=KINDS,
        subjects=SUBJECTS,
        privacy=PRIVACY,
        categories=CATEGORIES,
    ), (422 if errors else 200)


def _report_body(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    body: dict[str, Any] = {k: form.get(k, "").strip() for k in REPORT_FIELDS}
    for name, message in (
        ("kind", _("Pilih jenis laporan")),
        ("unit", _("Tuliskan unit kerja yang dilaporkan")),
        ("category", _("Pilih kategori")),
        ("title", _("Tuliskan judul singkat")),
        ("body", _("Tuliskan isi laporan")),
    ):
        if not body[name]:
            errors[name] = message
    body["subject"] = body["subject"] or "UNIT"
    body["privacy"] = body["privacy"] or "PUBLIC"
    for name in (*OPTIONAL_FIELDS, *CONTACT_FIELDS):
        if form.get(name, "").strip():
            body[name] = form[name].strip()
    if form.get("website"):
        body["website"] = form["website"]  # the honeypot: the service refuses it
    return body, errors


def _attach(sent: dict[str, Any], upload: FileStorage | None) -> str | None:
    """Upload the optional photo or PDF with the new credentials; the refusal, if any."""
    if upload is None or not upload.filename:
        return None
    reply = _upload(sent["tracking_number"], sent["secret"], upload)
    if reply.ok:
        return None
    return reply.field_errors().get("file") or reply.message()


def _upload(tracking_number: str, secret: str, upload: FileStorage) -> Reply:
    boundary = "sofifi-" + secrets.token_hex(12)
    parts = []
    for name, value in (("tracking_number", tracking_number), ("secret", secret)):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="lampiran"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    content = upload.read(5 * 1024 * 1024 + 1)
    body = "".join(parts).encode() + head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return call(
        "feedback",
        "POST",
        "public/track/attachments",
        None,
        body=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@blp.route("/lacak", methods=["GET", "POST"])
def track():
    """Follow a report by tracking number and secret; answer, add a file, rate or reopen."""
    form = request.form
    errors: dict[str, str] = {}
    done = None
    creds = {
        "tracking_number": form.get("tracking_number", "").strip().upper(),
        "secret": form.get("secret", "").strip(),
    }
    timeline = None
    if request.method == "POST":
        action = form.get("action", "")
        if action in FOLLOW_UPS:
            path, field = FOLLOW_UPS[action]
            value: Any = form.get(field, "").strip()
            body: dict[str, Any] = {**creds, field: value}
            if action == "rating":
                body["rating"] = int(value) if value.isdigit() else None
                body["comment"] = form.get("comment", "").strip() or None
            reply = call("feedback", "POST", f"public/{path}", None, json_body=body)
            done = _follow_up_result(reply, field, errors)
        elif action == "attachment":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                errors["file"] = _("Pilih foto atau berkas PDF")
            else:
                reply = _upload(creds["tracking_number"], creds["secret"], upload)
                done = _follow_up_result(reply, "file", errors)
        found = call("feedback", "POST", "public/track", None, json_body=creds)
        if found.ok:
            timeline = found.data
        elif found.status in (404, 422):
            errors = {"tracking_number": _("Nomor lacak atau kode rahasia salah.")}
        else:
            return service_problem(found)
    return render_template(
        "feedback/track.html",
        title=_("Lacak laporan"),
        creds=creds,
        errors=errors,
        timeline=timeline,
        done=done,
    ), (422 if errors else 200)


def _follow_up_result(reply: Reply, field: str, errors: dict[str, str]) -> str | None:
    if reply.ok:
        return _("Tersimpan.")
    if reply.status == 409:
        errors[field] = _("Tidak dapat dilakukan pada tahap ini: %(why)s", why=reply.message())
    else:
        errors[field] = reply.field_errors().get(field) or reply.message()
    return None


@blp.get("/survei")
def surveys():
    """The IKM surveys open for answers."""
    reply = call("feedback", "GET", "ikm/surveys", None)
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "feedback/surveys.html", title=_("Survei Kepuasan Masyarakat (SKM)"), surveys=reply.data
    )


@blp.route("/survei/<int:survey_id>", methods=["GET", "POST"])
def survey(survey_id: int):
    """Answer the 9 IKM elements (1-4) with the respondent code from the service counter."""
    form = request.form
    errors: dict[str, str] = {}
    open_now = call("feedback", "GET", "ikm/surveys", None)
    if not open_now.ok:
        return service_problem(open_now)
    found = next((s for s in open_now.data if s["id"] == survey_id), None)
    if found is None:
        return render_template(
            "refused.html",
            title=_("Survei tidak dibuka"),
            message=_("Survei ini tidak ada atau sudah ditutup."),
            status=404,
        ), 404
    if request.method == "POST":
        answers = {e: form.get(e, type=int) for e in IKM_ELEMENTS}
        for element, value in answers.items():
            if value not in (1, 2, 3, 4):
                errors[element] = _("Pilih salah satu nilai 1 sampai 4")
        if not form.get("code", "").strip():
            errors = {"code": _("Masukkan kode responden dari loket layanan"), **errors}
        if not errors:
            body: dict[str, Any] = {"code": form["code"].strip(), "answers": answers}
            for name in ("age_band", "gender", "education"):
                if form.get(name):
                    body[name] = form[name]
            reply = call(
                "feedback", "POST", f"ikm/surveys/{survey_id}/answers", None, json_body=body
            )
            if reply.ok:
                return render_template(
                    "feedback/survey_done.html", title=_("Terima kasih"), survey=found
                ), 201
            if reply.status == 409:
                errors = {"code": _("Kode responden ini sudah dipakai.")}
            elif reply.status == 422:
                errors = reply.field_errors() or {"code": reply.message()}
                if "code" in errors:
                    errors["code"] = _("Kode responden tidak berlaku untuk survei ini.")
            else:
                return service_problem(reply)
    return render_template(
        "feedback/survey.html",
        title=_("Survei Kepuasan Masyarakat (SKM)"),
        survey=found,
        form=form,
        errors=errors,
        elements=IKM_ELEMENTS,
        age_bands=AGE_BANDS,
        education=EDUCATION,
    ), (422 if errors else 200)


@blp.get("/konsultasi")
def consultations():
    """Consultations, newest first (STAFF ones only for signed-in ASN)."""
    user = current_user()
    reply = call("feedback", "GET", "consultations", user.token if user else None)
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "feedback/consultations.html", title=_("Konsultasi publik"), consultations=reply.data
    )


@blp.route("/konsultasi/<int:consultation_id>", methods=["GET", "POST"])
def consultation(consultation_id: int):
    """A consultation with its threads; comment, reply or flag a comment (no account)."""
    user = current_user()
    token = user.token if user else None
    form = request.form
    errors: dict[str, str] = {}
    done = None
    if request.method == "POST":
        if form.get("action") == "flag":
            cid = form.get("comment", type=int)
            reply = call(
                "feedback", "POST", f"consultations/{consultation_id}/comments/{cid}/flag", token
            )
            done = _("Komentar dilaporkan ke moderator.") if reply.ok else None
            if not reply.ok:
                errors["body"] = reply.message()
        elif not form.get("body", "").strip():
            errors["body"] = _("Tuliskan tanggapan Anda")
        else:
            body: dict[str, Any] = {"body": form["body"].strip()}
            if form.get("name", "").strip():
                body["name"] = form["name"].strip()
            if form.get("reply_to", type=int):
                body["reply_to"] = form.get("reply_to", type=int)
            if form.get("website"):
                body["website"] = form["website"]
            reply = call(
                "feedback",
                "POST",
                f"consultations/{consultation_id}/comments",
                token,
                json_body=body,
            )
            if reply.ok:
                done = _("Tanggapan Anda dimuat. Terima kasih.")
            elif reply.status == 409:
                errors["body"] = _("Konsultasi ini sudah ditutup.")
            else:
                errors = reply.field_errors() or {"body": reply.message()}
    reply = call("feedback", "GET", f"consultations/{consultation_id}", token)
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "feedback/consultation.html",
        title=reply.data["title"],
        c=reply.data,
        form=form if errors else {},
        errors=errors,
        done=done,
    ), (422 if errors else 200)


@blp.get("/hasil-ikm")
def ikm_results():
    """Published IKM results per unit over time, with a chart (public)."""
    unit = request.args.get("unit", "").strip()
    reply = call("feedback", "GET", "ikm/results", None, query={"unit": unit})
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "feedback/ikm_results.html",
        title=_("Indeks Kepuasan Masyarakat (IKM)"),
        results=reply.data,
        unit=unit,
        elements=IKM_ELEMENTS,
    )


@blp.get("/statistik")
def statistics():
    """Reports per unit: received, open, resolved, mean hours to the first response (public)."""
    reply = call("feedback", "GET", "public/reports/statistics", None)
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "feedback/statistics.html",
        title=_("Statistik pengaduan"),
        units=reply.data["units"],
        export=None,
    )
