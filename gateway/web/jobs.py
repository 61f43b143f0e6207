"""A long operation's progress (any service's job): the page refreshes itself while it runs.

There is no script on the pages: a running job's page carries a `<meta http-equiv="refresh">`
(and a link to reload by hand), and once the job has finished it links to what it made.
A page that starts a job redirects here with `url_for("jobs.job", service=..., job_id=...)`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for
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
# Job kind -> (endpoint of the page showing its result, the key of the result naming it).
RESULT_PAGES: dict[str, tuple[str, str]] = {"training.plan": ("training_admin.plan", "plan_id")}
KIND_LABELS = {"training.plan": N_("Rencana pengembangan kompetensi tahunan")}


def result_link(job: dict[str, Any]) -> str | None:
    """The page of what a finished job made, when its kind has one."""
    target = RESULT_PAGES.get(job.get("kind", ""))
    result = job.get("result") or {}
    if job.get("state") != "SUCCEEDED" or target is None or result.get(target[1]) is None:
        return None
    return url_for(target[0], **{target[1]: result[target[1]]})


@blp.get("/<service>/<job_id>")
@signed_in()
def job(service: str, job_id: str):
    """A job's state, phase and progress; refreshed every few seconds until it has finished."""
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
        refresh=REFRESH_SECONDS if found["state"] in RUNNING else None,
        result_url=result_link(found),
    )
