"""CPNS selection: public announcements, rankings and appeals; the admin's selection desk."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.calls import call
from gateway.combined import service_token, this_year
from gateway.state import gateway_state
from gateway.web.export import spreadsheet
from gateway.web.identity import current_user, signed_in
from gateway.web.jobs import idempotency_header, submission_key
from gateway.web.labels import N_
from gateway.web.render import service_problem

blp = Blueprint("selection", __name__, url_prefix="/seleksi")
NAV = [("selection.desk", N_("Seleksi CPNS"), ("admin", "recruiter"))]
FORMATION_FIELDS = ("code", "year", "position", "unit", "education", "category", "quota")
RANK_KIND = "selection.rank-year"
CATEGORIES = ("GENERAL", "CUM_LAUDE", "DIASPORA", "DISABILITY")
RESULT_COLUMNS = (
    "rank",
    "registration_number",
    "name",
    "twk",
    "tiu",
    "tkp",
    "skd_total",
    "skb",
    "final_score",
    "outcome",
)


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else this_year()


@blp.get("")
def announcements():
    """Formations of a year and their announcements (public)."""
    year = _year()
    # The list of formations is public information; the service keeps it for staff, so the
    # gateway reads it with its own token and shows only what the announcement shows.
    reply = call(
        "recruitment",
        "GET",
        "formations",
        service_token("public-announcements"),
        query={"year": year, "page_size": 500},
    )
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "selection/announcements.html",
        title=_("Pengumuman hasil seleksi"),
        year=year,
        formations=reply.data["items"],
    )


def _all_pages(path: str, token: str | None) -> tuple[dict | None, list[dict], int]:
    items: list[dict] = []
    page, first = 1, None
    while True:
        reply = call("recruitment", "GET", path, token, query={"page": page, "page_size": 500})
        if not reply.ok:
            return None, [], reply.status
        first = first or reply.data
        items.extend(reply.data["items"])
        if page * 500 >= reply.data["total"]:
            return first, items, 200
        page += 1


@blp.get("/formasi/<int:formation_id>")
def announcement(formation_id: int):
    """A formation's announced results, best first (public)."""
    page = max(request.args.get("page", 1, type=int), 1)
    reply = call(
        "recruitment",
        "GET",
        f"formations/{formation_id}/announcement",
        None,
        query={"page": page, "page_size": 100},
    )
    if reply.status == 404:
        return render_template(
            "refused.html",
            title=_("Belum diumumkan"),
            status=404,
            message=_("Hasil formasi ini belum diumumkan."),
        ), 404
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "selection/announcement.html",
        title=_("Pengumuman hasil seleksi"),
        data=reply.data,
        page=page,
        pages=max((reply.data["total"] + 99) // 100, 1),
    )


@blp.get("/formasi/<int:formation_id>/pengumuman.<kind>")
def announcement_download(formation_id: int, kind: str):
    """The whole announcement as CSV or XLSX (public)."""
    first, items, _status = _all_pages(f"formations/{formation_id}/announcement", None)
    if first is None or kind not in ("csv", "xlsx"):
        return render_template("refused.html", title=_("Tidak ditemukan"), status=404), 404
    rows = ([item.get(c) for c in RESULT_COLUMNS] for item in items)
    return spreadsheet(f"pengumuman-{first['formation']['code']}", kind, RESULT_COLUMNS, rows)


@blp.route("/sanggah", methods=["GET", "POST"])
def appeal():
    """File an appeal (sanggahan) with the registration number and the secret (public)."""
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        for name, message in (
            ("registration_number", _("Masukkan nomor pendaftaran")),
            ("secret", _("Masukkan kode rahasia")),
            ("grounds", _("Tuliskan alasan sanggahan")),
        ):
            if not form.get(name, "").strip():
                errors[name] = message
        if not errors:
            reply = call(
                "recruitment",
                "POST",
                "appeals",
                None,
                json_body={
                    k: form[k].strip() for k in ("registration_number", "secret", "grounds")
                },
            )
            if reply.ok:
                return render_template(
                    "selection/appeal_filed.html", title=_("Sanggahan dikirim"), appeal=reply.data
                )
            errors = reply.field_errors() or {"registration_number": reply.message()}
    return render_template(
        "selection/appeal.html", title=_("Ajukan sanggahan"), form=form, errors=errors
    ), (422 if errors else 200)


@blp.route("/sanggah/status", methods=["GET", "POST"])
def appeal_status():
    """An appeal's status and decision, by registration number and secret (public)."""
    form = request.form
    errors: dict[str, str] = {}
    found = None
    if request.method == "POST":
        reply = call(
            "recruitment",
            "POST",
            "appeals/status",
            None,
            json_body={
                "registration_number": form.get("registration_number", "").strip(),
                "secret": form.get("secret", "").strip(),
            },
        )
        if reply.ok:
            found = reply.data
        elif reply.status in (404, 422):
            errors = {
                "registration_number": _(
                    "Nomor pendaftaran atau kode rahasia salah, atau belum ada sanggahan."
                )
            }
        else:
            return service_problem(reply)
    return render_template(
        "selection/appeal_status.html",
        title=_("Status sanggahan"),
        form=form,
        errors=errors,
        appeal=found,
    ), (422 if errors else 200)


@blp.route("/kelola", methods=["GET", "POST"])
@signed_in("admin", "recruiter")
def desk():
    """The selection desk: formations, score uploads, ranking (a job) and announcement."""
    user = current_user()
    year = request.values.get("year", type=int) or this_year()
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action", "")
        if action in ("skd-scores", "skb-scores"):
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                errors["file"] = _("Pilih berkas CSV nilai")
            else:
                reply = call(
                    "recruitment",
                    "POST",
                    f"selection/{year}/{action}",
                    user.token,
                    body=upload.read(),
                    content_type="text/csv",
                    query={"reason": request.form.get("reason") or None},
                    timeout=gateway_state().settings.gateway_upload_timeout,
                )
                _report(reply, _("Nilai diunggah."), errors, "file")
        elif action == "rank":
            reply = call(
                "recruitment",
                "POST",
                f"selection/{year}/rank",
                user.token,
                query={"async": "true"},
                headers=idempotency_header(f"rank-{year}", request.form.get("submission")),
            )
            if reply.status == 202:
                return redirect(url_for("jobs.job", service="recruitment", job_id=reply.data["id"]))
            _report(reply, _("Pemeringkatan selesai."), errors, "formations")
        elif action == "announce":
            formation = request.form.get("formation", type=int)
            reply = call("recruitment", "POST", f"formations/{formation}/announce", user.token)
            _report(reply, _("Hasil diumumkan; masa sanggah dibuka."), errors, "formations")
        if not errors:
            return redirect(url_for("selection.desk", year=year))
    reply = call(
        "recruitment", "GET", "formations", user.token, query={"year": year, "page_size": 500}
    )
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "selection/desk.html",
        title=_("Seleksi CPNS"),
        year=year,
        formations=reply.data["items"],
        errors=errors,
        submission=submission_key(),
        ranked=_ranked(request.args.get("pekerjaan", ""), year, user.token),
    ), (422 if errors else 200)


def _ranked(job_id: str, year: int, token: str) -> dict | None:
    """The summary of a finished ranking job of this year (the job page links here with it)."""
    if not job_id.isalnum():
        return None
    reply = call("recruitment", "GET", f"jobs/{job_id}", token)
    job = reply.data if reply.ok else {}
    if job.get("kind") != RANK_KIND or job.get("state") != "SUCCEEDED":
        return None
    return job["result"] if job["params"].get("year") == year else None


def _report(reply, done: str, errors: dict[str, str], field: str) -> None:
    if reply.ok:
        flash(done)
    else:
        rows = ((reply.data or {}).get("errors") or {}).get("rows") or {}
        details = "; ".join(
            f"{_('baris')} {row}: {', '.join(f'{k} {v[0]}' for k, v in fields.items())}"
            for row, fields in list(rows.items())[:20]
        )
        errors[field] = reply.message() + (f" ({details})" if details else "")


@blp.route("/kelola/formasi-baru", methods=["GET", "POST"])
@signed_in("admin", "recruiter")
def new_formation():
    """Create a formation (a post to fill in a selection year)."""
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        body = {k: form.get(k, "").strip() for k in FORMATION_FIELDS}
        for name in FORMATION_FIELDS:
            if not body[name]:
                errors[name] = _("Isi kolom ini")
        for name in ("year", "quota"):
            if body[name] and not body[name].isdigit():
                errors[name] = _("Isi dengan angka")
        if not errors:
            body["year"], body["quota"] = int(body["year"]), int(body["quota"])
            reply = call("recruitment", "POST", "formations", current_user().token, json_body=body)
            if reply.ok:
                flash(_("Formasi %(code)s dibuat.", code=reply.data["code"]))
                return redirect(url_for("selection.desk", year=reply.data["year"]))
            errors = reply.field_errors() or {"code": reply.message()}
    return render_template(
        "selection/formation_new.html",
        title=_("Formasi baru"),
        form=form,
        errors=errors,
        categories=CATEGORIES,
        year=form.get("year") or this_year(),
    ), (422 if errors else 200)


@blp.get("/kelola/formasi/<int:formation_id>")
@signed_in("admin", "recruiter")
def ranking(formation_id: int):
    """A formation's full ranking (staff), with downloads."""
    user = current_user()
    kind = request.args.get("unduh")
    if kind in ("csv", "xlsx"):
        _first, items, status = _all_pages(f"formations/{formation_id}/ranking", user.token)
        if status != 200:
            return render_template("refused.html", title=_("Tidak ditemukan"), status=404), 404
        rows = ([item.get(c) for c in RESULT_COLUMNS] for item in items)
        return spreadsheet(f"peringkat-formasi-{formation_id}", kind, RESULT_COLUMNS, rows)
    reply = call(
        "recruitment",
        "GET",
        f"formations/{formation_id}/ranking",
        user.token,
        query={"page_size": 500},
    )
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "selection/ranking.html",
        title=_("Peringkat formasi"),
        formation_id=formation_id,
        data=reply.data,
    )


@blp.route("/kelola/sanggah", methods=["GET", "POST"])
@signed_in("admin")
def appeals():
    """A year's appeals, oldest first, with the decision form (accept or reject with a text)."""
    user = current_user()
    year = request.values.get("year", type=int) or this_year()
    errors: dict[str, str] = {}
    if request.method == "POST":
        reg = request.form.get("registration_number", "")
        reply = call(
            "recruitment",
            "POST",
            f"appeals/{reg}/decision",
            user.token,
            json_body={
                "status": request.form.get("status"),
                "decision": request.form.get("decision"),
            },
        )
        _report(reply, _("Jawaban sanggah disimpan."), errors, "decision")
        if not errors:
            return redirect(url_for("selection.appeals", year=year))
    reply = call(
        "recruitment", "GET", f"selection/{year}/appeals", user.token, query={"page_size": 500}
    )
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "selection/appeals.html",
        title=_("Sanggahan"),
        year=year,
        appeals=reply.data["items"],
        errors=errors,
    ), (422 if errors else 200)
