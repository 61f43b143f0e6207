"""The IKM survey desk for staff: open a unit's survey (admins), issue one-use respondent codes
for the service counter, see the live result, publish it (admins); the published results."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from contracts.feedback import IKM_ELEMENTS
from gateway.calls import call
from gateway.combined import this_year
from gateway.web.identity import current_user, signed_in
from gateway.web.render import service_problem

blp = Blueprint("feedback_ikm", __name__, url_prefix="/pengaduan/kelola/ikm")
NAV: list = []
PERIODS = ("ANNUAL", "S1", "S2", "Q1", "Q2", "Q3", "Q4")


@blp.route("", methods=["GET", "POST"])
@signed_in("admin", "officer")
def desk():
    """Open surveys (an officer: their unit's), a new survey, and the published results."""
    user = current_user()
    unit = request.values.get("unit", "").strip() or (None if user.has("admin") else user.unit)
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST" and user.has("admin"):
        body: dict[str, Any] = {k: form.get(k, "").strip() for k in ("unit", "period")}
        body["year"] = form.get("year", type=int)
        body["population"] = form.get("population", type=int)
        for name in ("unit", "year", "period", "population"):
            if not body[name]:
                errors[name] = _("Isi kolom ini")
        if not errors:
            reply = call("feedback", "POST", "ikm/surveys", user.token, json_body=body)
            if reply.ok:
                flash(_("Survei dibuka."))
                return redirect(url_for("feedback_ikm.desk", unit=body["unit"]))
            errors = reply.field_errors() or {"unit": reply.message()}
    surveys = call("feedback", "GET", "ikm/surveys", None, query={"unit": unit})
    results = call("feedback", "GET", "ikm/results", None, query={"unit": unit})
    if not surveys.ok or not results.ok:
        return service_problem(surveys if not surveys.ok else results)
    return render_template(
        "feedback/ikm_desk.html",
        title=_("Survei dan hasil IKM"),
        surveys=surveys.data,
        results=results.data,
        unit=unit or "",
        year=this_year(),
        periods=PERIODS,
        elements=IKM_ELEMENTS,
        form=form,
        errors=errors,
    ), (422 if errors else 200)


@blp.route("/<int:survey_id>", methods=["GET", "POST"])
@signed_in("admin", "officer")
def survey(survey_id: int):
    """A survey's live result; respondent codes (shown once) and, for admins, publishing."""
    user = current_user()
    errors: dict[str, str] = {}
    codes: list[str] = []
    if request.method == "POST":
        if request.form.get("action") == "publish":
            reply = call("feedback", "POST", f"ikm/surveys/{survey_id}/publish", user.token)
            if reply.ok:
                flash(_("Hasil IKM diterbitkan."))
                return redirect(url_for("feedback_ikm.survey", survey_id=survey_id))
            if reply.status == 403:
                return service_problem(reply)
            errors = {"count": reply.message()}
        else:
            count = request.form.get("count", type=int)
            if not count or not 1 <= count <= 2000:
                errors = {"count": _("Jumlah kode 1 sampai 2.000")}
            else:
                reply = call(
                    "feedback",
                    "POST",
                    f"ikm/surveys/{survey_id}/codes",
                    user.token,
                    json_body={"count": count},
                )
                if reply.ok:
                    codes = reply.data["codes"]
                else:
                    errors = {"count": reply.field_errors().get("count") or reply.message()}
    reply = call("feedback", "GET", f"ikm/surveys/{survey_id}", user.token)
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "feedback/ikm_survey.html",
        title=_("Survei IKM %(unit)s", unit=reply.data["unit"]),
        s=reply.data,
        codes=codes,
        errors=errors,
        elements=IKM_ELEMENTS,
    ), (422 if errors else 200)
