"""Roster pages (admin, recruiter): search, CSV import with a dry run, CSV/XLSX export."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.accounts import RosterUnavailable, fetch_roster
from gateway.calls import call
from gateway.state import gateway_state
from gateway.web.export import spreadsheet
from gateway.web.identity import current_user, signed_in
from gateway.web.jobs import idempotency_header, submission_key
from gateway.web.labels import N_
from gateway.web.render import service_problem

blp = Blueprint("roster", __name__, url_prefix="/data-pegawai")
NAV = [("roster.search", N_("Data pegawai"), ("admin", "recruiter"))]
PAGE_SIZE = 50
# Above this size the page sends the file as a job (`async=true`) and shows its progress: about
# 10,000 rows, which the service checks and stores in about a second; the service itself makes
# a job of any file over 2 MiB (its JOB_IMPORT_BYTES).
JOB_BYTES = 1024 * 1024
IMPORT_KIND = "roster.import"
COLUMNS = (
    "nip",
    "name",
    "gender",
    "birth_date",
    "tmt_cpns",
    "status",
    "unit",
    "position",
    "supervisor_nip",
)


@blp.get("")
@signed_in("admin", "recruiter")
def search():
    """Search the roster by name or NIP, unit and status."""
    user = current_user()
    args = {k: request.args.get(k, "").strip() for k in ("q", "unit", "status")}
    page = max(request.args.get("page", 1, type=int), 1)
    reply = call(
        "recruitment",
        "GET",
        "employees",
        user.token,
        query={**args, "page": page, "page_size": PAGE_SIZE},
    )
    if not reply.ok and reply.status != 422:
        return service_problem(reply)
    errors = reply.field_errors() if not reply.ok else {}
    data = reply.data if reply.ok else {"items": [], "total": 0}
    return render_template(
        "roster/search.html",
        title=_("Data pegawai"),
        args=args,
        page=page,
        data=data,
        pages=max((data["total"] + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        errors=errors,
    )


@blp.get("/unduh.<kind>")
@signed_in("admin", "recruiter")
def download(kind: str):
    """The roster (of a unit) as CSV or XLSX."""
    if kind not in ("csv", "xlsx"):
        return service_problem_404()
    unit = request.args.get("unit", "").strip() or None
    try:
        employees = fetch_roster(current_user().token, unit)
    except RosterUnavailable as exc:
        return service_problem(exc.reply)
    rows = ([e.get(c) for c in COLUMNS] for e in employees)
    return spreadsheet(f"data-pegawai{'-' + unit if unit else ''}", kind, COLUMNS, rows)


@blp.route("/impor", methods=["GET", "POST"])
@signed_in("admin")
def import_csv():
    """Import staff from CSV: check first (dry run), then import; row errors as a table. A file
    over JOB_BYTES runs as a job followed on the job page."""
    if request.method == "GET":
        return _import_page({}, None, [])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page({"file": _("Pilih berkas CSV")}, None, []), 422
    dry_run = request.form.get("mode") != "import"
    payload = upload.read()
    as_job = len(payload) > JOB_BYTES
    reply = call(
        "recruitment",
        "POST",
        "employees/import",
        current_user().token,
        query={"dry_run": "true" if dry_run else None, "async": "true" if as_job else None},
        body=payload,
        content_type="text/csv",
        timeout=gateway_state().settings.gateway_upload_timeout,
        headers=idempotency_header("roster-import", request.form.get("submission")),
    )
    if reply.status == 202:
        return redirect(url_for("jobs.job", service="recruitment", job_id=reply.data["id"]))
    if reply.status in (502, 504):
        return service_problem(reply)
    if reply.ok:
        return _import_page({}, reply.data, [], dry_run)
    errors, rows = _refusal(reply.data or {}, reply.message())
    return _import_page(errors, None, rows, dry_run), 422


@blp.get("/impor/<job_id>")
@signed_in("admin")
def import_result(job_id: str):
    """What an import run as a job did: the rows imported, or its row errors as a table."""
    reply = call("recruitment", "GET", f"jobs/{job_id}", current_user().token)
    if not reply.ok:
        return service_problem(reply)
    job = reply.data
    if job.get("kind") != IMPORT_KIND:
        return service_problem_404()
    dry_run = bool((job.get("params") or {}).get("dry_run"))
    if job["state"] == "SUCCEEDED":
        return _import_page({}, job["result"], [], dry_run)
    if job["state"] != "FAILED":
        return redirect(url_for("jobs.job", service="recruitment", job_id=job_id))
    error = job.get("error") or {}
    errors, rows = _refusal(error, error.get("message") or _("Proses gagal."))
    return _import_page(errors, None, rows, dry_run), 422


def _refusal(body: dict, message: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The error summary and the table of row errors of a refused import (a 422's body or a
    failed job's error: the same shape)."""
    rows: list[tuple[str, str, str]] = []
    found = body.get("errors") or {}
    for row, fields in sorted((found.get("rows") or {}).items(), key=lambda i: int(i[0])):
        for field, reasons in fields.items():
            rows.append((row, field, "; ".join(reasons)))
    for what, reasons in (found.get("csv") or {}).items():
        rows.append(("—", what, "; ".join(reasons) if isinstance(reasons, list) else reasons))
    summary = (
        _("%(n)s baris bermasalah; tidak ada yang diimpor.", n=len({r[0] for r in rows}))
        if rows
        else message
    )
    return {"file": summary}, rows


def _import_page(errors: dict[str, str], result: dict | None, rows: list, dry_run: bool = True):
    return render_template(
        "roster/import.html",
        title=_("Impor data pegawai (CSV)"),
        errors=errors,
        result=result,
        rows=rows,
        dry_run=dry_run,
        submission=submission_key(),
        job_bytes=JOB_BYTES,
    )


def service_problem_404():
    """Not a known download format."""
    return render_template("refused.html", title=_("Tidak ditemukan"), status=404), 404
