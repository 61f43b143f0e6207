"""A long operation's progress (any service's job), followed without script.

A running job's page has a link that reloads it ("Perbarui status"). Reloading by itself is
opt-in (`?otomatis=1` adds a `<meta http-equiv="refresh">`, with a link to stop it): a page that
refreshes on its own, unasked, fails WCAG 2.2.1 (timing adjustable; axe-core's `meta-refresh`).
Once the job has finished the page links to what it made. A page that starts a job redirects
here with `url_for("jobs.job", service=..., job_id=...)`.
"""

from __future__ import annotations

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
