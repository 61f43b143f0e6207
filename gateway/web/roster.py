"""Roster pages (admin, recruiter): search, CSV import with a dry run, CSV/XLSX export."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from gateway.accounts import RosterUnavailable, fetch_roster
from gateway.calls import call
from gateway.state import gateway_state
from gateway.web.export import spreadsheet
from gateway.web.identity import current_user, signed_in
from gateway.web.labels import N_
from gateway.web.render import service_problem

blp = Blueprint("roster", __name__, url_prefix="/data-pegawai")
NAV = [("roster.search", N_("Data pegawai"), ("admin", "recruiter"))]
PAGE_SIZE = 50
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
    """Import staff from CSV: check first (dry run), then import; row errors as a table."""
    if request.method == "GET":
        return render_template(
            "roster/import.html",
            title=_("Impor data pegawai (CSV)"),
            errors={},
            result=None,
            rows=[],
        )
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template(
            "roster/import.html",
            title=_("Impor data pegawai (CSV)"),
            errors={"file": _("Pilih berkas CSV")},
            result=None,
            rows=[],
        ), 422
    dry_run = request.form.get("mode") != "import"
    reply = call(
        "recruitment",
        "POST",
        "employees/import",
        current_user().token,
        query={"dry_run": "true"} if dry_run else None,
        body=upload.read(),
        content_type="text/csv",
        timeout=gateway_state().settings.gateway_upload_timeout,
    )
    if reply.status in (502, 504):
        return service_problem(reply)
    errors: dict[str, str] = {}
    rows: list[tuple[str, str, str]] = []
    if not reply.ok:
        found = (reply.data or {}).get("errors") or {}
        for row, fields in sorted((found.get("rows") or {}).items(), key=lambda i: int(i[0])):
            for field, reasons in fields.items():
                rows.append((row, field, "; ".join(reasons)))
        for what, reasons in (found.get("csv") or {}).items():
            rows.append(("—", what, "; ".join(reasons) if isinstance(reasons, list) else reasons))
        errors["file"] = (
            _("%(n)s baris bermasalah; tidak ada yang diimpor.", n=len({r[0] for r in rows}))
            if rows
            else reply.message()
        )
    return render_template(
        "roster/import.html",
        title=_("Impor data pegawai (CSV)"),
        errors=errors,
        result=reply.data if reply.ok else None,
        rows=rows,
        dry_run=dry_run,
    ), (422 if errors else 200)


def service_problem_404():
    """Not a known download format."""
    return render_template("refused.html", title=_("Tidak ditemukan"), status=404), 404
