"""A long operation's progress (any service's job), followed without script.

A running job's page has a link that reloads it ("Perbarui status"). Reloading by itself is
opt-in (`?otomatis=1` adds a `<meta http-equiv="refresh">`, with a link to stop it): a page that
refreshes on its own, unasked, fails WCAG 2.2.1 (timing adjustable; axe-core's `meta-refresh`).
Once the job has finished the page links to what it made (for some kinds, to the page showing
its refusal too). A page that starts a job redirects here with `url_for("jobs.job",
service=..., job_id=...)`; its form carries a submission key (`submission_key`), sent as the
`Idempotency-Key`, so that a double submit of one form gives the same job.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from gateway.calls import call
from gateway.state import gateway_state
from gateway.web.identity import current_user, signed_in
from gateway.web.labels import N_
from gateway.web.render import service_problem

blp = Blueprint("jobs", __name__, url_prefix="/pekerjaan")
NAV: list = []
REFRESH_SECONDS = 2
RUNNING = ("QUEUED", "RUNNING")
SUBMISSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _result_key(key: str) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """URL arguments naming what the job made: `key` of its result."""

    def arguments(job: dict[str, Any]) -> dict[str, Any] | None:
        value = (job.get("result") or {}).get(key)
        return None if value is None else {key: value}

    return arguments


# Job kind -> (endpoint of the page showing its result, its URL arguments from the job).
RESULT_PAGES: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any] | None]]] = {
    "training.plan": ("training_admin.plan", _result_key("plan_id")),
    "roster.import": ("roster.import_result", lambda job: {"job_id": job["id"]}),
    "selection.rank-year": (
        "selection.desk",
        lambda job: {"year": job["params"]["year"], "pekerjaan": job["id"]},
    ),
}
# Kinds whose result page also shows a refusal (the row errors of a failed import).
SHOWS_REFUSAL = frozenset({"roster.import"})
KIND_LABELS = {
    "training.plan": N_("Rencana pengembangan kompetensi tahunan"),
    "roster.import": N_("Impor data pegawai (CSV)"),
    "selection.rank-year": N_("Pemeringkatan seleksi CPNS satu tahun"),
}


def result_link(job: dict[str, Any]) -> str | None:
    """The page of what a finished job made (or of its refusal), when its kind has one."""
    kind, state = job.get("kind", ""), job.get("state")
    target = RESULT_PAGES.get(kind)
    shown = state == "SUCCEEDED" or (state == "FAILED" and kind in SHOWS_REFUSAL)
    if target is None or not shown:
        return None
    arguments = target[1](job)
    return None if arguments is None else url_for(target[0], **arguments)


def submission_key() -> str:
    """A new form's submission key (a hidden field), sent as the job's `Idempotency-Key`."""
    return secrets.token_urlsafe(24)


def idempotency_header(action: str, submitted: str | None) -> dict[str, str]:
    """The `Idempotency-Key` of a submitted form: its key, scoped by the action (a new one
    when the form carried none or a malformed one: that submit is then not deduplicated)."""
    key = submitted if submitted and SUBMISSION.match(submitted) else submission_key()
    return {"Idempotency-Key": f"web:{action}:{key}"}


@blp.get("/<service>/<job_id>")
@signed_in()
def job(service: str, job_id: str):
    """A job's state, phase and progress; reloaded by a link, or every few seconds if asked."""
    if service not in gateway_state().upstreams:
        return render_template("refused.html", title=_("Tidak ditemukan"), status=404), 404
    reply = call(service, "GET", f"jobs/{job_id}", current_user().token)
    if not reply.ok:
        return service_problem(reply)
    found = reply.data
    progress = found.get("progress") or {}
    total = progress.get("total") or 0
    percent = round(100 * progress.get("done", 0) / total) if total else 0
    kind = KIND_LABELS.get(found.get("kind", ""))
    return render_template(
        "jobs/job.html",
        title=_("Proses berjalan") if found["state"] in RUNNING else _("Proses selesai"),
        job=found,
        kind=_(kind) if kind else found.get("kind"),
        percent=max(0, min(percent, 100)),
        running=found["state"] in RUNNING,
        auto=request.args.get("otomatis") == "1",
        refresh=REFRESH_SECONDS,
        result_url=result_link(found),
    )
