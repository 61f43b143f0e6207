"""Appraisal journeys: write and agree an SKP, rate with the seven BerAKHLAK values, object,
and the admin's unit rating, calibration and finalization."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from contracts.appraisal import BERAKHLAK_VALUES
from gateway.calls import Reply, call
from gateway.combined import this_year
from gateway.web.identity import current_user, signed_in
from gateway.web.labels import N_
from gateway.web.render import service_problem

blp = Blueprint("appraisal_pages", __name__, url_prefix="/kinerja")
NAV = [
    ("appraisal_pages.new_skp", N_("SKP"), ("employee", "supervisor")),
    ("appraisal_pages.unit_form", N_("Kalibrasi"), ("admin",)),
    ("appraisal_pages.objections", N_("Keberatan"), ("employee", "supervisor")),
]
RATINGS = ("DI_ATAS", "SESUAI", "DI_BAWAH")
UNIT_RATINGS = ("ISTIMEWA", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
PERIODS = ("ANNUAL", "Q1", "Q2", "Q3", "Q4")
ITEM_ROWS = 3


def _errors(reply: Reply, fallback: str) -> dict[str, str]:
    found = reply.field_errors()
    return found or {fallback: reply.message()}


@blp.route("/skp/baru", methods=["GET", "POST"])
@signed_in("employee", "supervisor")
def new_skp():
    """Write one's SKP (Sasaran Kinerja Pegawai): results, indicators, targets."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        items = [
            {k: form.get(f"{k}-{i}", "").strip() for k in ("result", "indicator", "target")}
            for i in range(ITEM_ROWS)
        ]
        items = [item for item in items if any(item.values())]
        if not items or not all(all(item.values()) for item in items):
            errors["result-0"] = _("Isi rencana hasil kerja, indikator dan target setiap baris")
        else:
            reply = call(
                "appraisal",
                "POST",
                "skp",
                user.token,
                json_body={
                    "nip": form.get("nip") or user.nip,
                    "year": form.get("year", type=int),
                    "period": form.get("period"),
                    "items": items,
                },
            )
            if reply.ok:
                flash(_("SKP disimpan sebagai draf. Sepakati bersama atasan langsung."))
                return redirect(url_for("appraisal_pages.skp", plan_id=reply.data["id"]))
            errors = _errors(reply, "result-0")
    return render_template(
        "appraisal/skp_new.html",
        title=_("Susun SKP"),
        errors=errors,
        form=form,
        rows=range(ITEM_ROWS),
        year=form.get("year") or this_year(),
        periods=PERIODS,
    ), (422 if errors else 200)


@blp.get("/skp")
@signed_in("employee", "supervisor")
def skp_lookup():
    """Open an SKP by its number (the supervisor receives it from the employee)."""
    plan_id = request.args.get("id", type=int)
    if plan_id:
        return redirect(url_for("appraisal_pages.skp", plan_id=plan_id))
    return render_template("appraisal/skp_lookup.html", title=_("Buka SKP"), errors={})


@blp.route("/skp/<int:plan_id>", methods=["GET", "POST"])
@signed_in("employee", "supervisor", "admin")
def skp(plan_id: int):
    """One SKP; the employee or the supervisor agrees their side."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        reply = call("appraisal", "POST", f"skp/{plan_id}/agree", user.token)
        if reply.ok:
            flash(_("Persetujuan Anda dicatat."))
            return redirect(url_for("appraisal_pages.skp", plan_id=plan_id))
        errors = {"agree": reply.message()}
    reply = call("appraisal", "GET", f"skp/{plan_id}", user.token)
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "appraisal/skp.html",
        title=_("SKP nomor %(id)s", id=plan_id),
        plan=reply.data,
        errors=errors,
    ), (409 if errors else 200)


@blp.route("/penilaian/<nip>/<int:year>/<period>", methods=["GET", "POST"])
@signed_in("supervisor")
def rate(nip: str, year: int, period: str):
    """The rating form: results, behaviour and the seven BerAKHLAK values."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    current = call("appraisal", "GET", f"appraisals/{nip}/{year}/{period}", user.token)
    if request.method == "POST":
        values = {value: form.get(value) for value in BERAKHLAK_VALUES}
        for name in ("results_rating", "behaviour_rating", *BERAKHLAK_VALUES):
            if form.get(name) not in RATINGS:
                errors[name] = _("Pilih salah satu penilaian")
        if not errors:
            body = {
                "results_rating": form["results_rating"],
                "behaviour_rating": form["behaviour_rating"],
                "behaviour_values": values,
            }
            # The comments are optional: left out when empty (the service refuses null).
            for name in ("results_comment", "behaviour_comment"):
                if form.get(name, "").strip():
                    body[name] = form[name].strip()
            reply = call(
                "appraisal", "PUT", f"appraisals/{nip}/{year}/{period}", user.token, json_body=body
            )
            if reply.ok:
                flash(_("Penilaian disimpan: predikat %(p)s.", p=reply.data["predikat"]))
                return redirect(url_for("combined.dossier_page", nip=nip))
            errors = _errors(reply, "results_rating")
    existing = current.data if current.ok else {}
    return render_template(
        "appraisal/rate.html",
        title=_("Penilaian kinerja"),
        errors=errors,
        nip=nip,
        year=year,
        period=period,
        form=form,
        existing=existing or {},
        values=BERAKHLAK_VALUES,
        ratings=RATINGS,
    ), (422 if errors else 200)


@blp.route("/keberatan/<int:year>", methods=["GET", "POST"])
@signed_in("employee", "supervisor")
def objection(year: int):
    """Object to one's own finalized annual rating (within 14 days, once)."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        reason = request.form.get("reason", "").strip()
        if not reason:
            errors["reason"] = _("Tuliskan alasan keberatan")
        else:
            reply = call(
                "appraisal",
                "POST",
                f"appraisals/{user.nip}/{year}/ANNUAL/objection",
                user.token,
                json_body={"reason": reason},
            )
            if reply.ok:
                return render_template(
                    "appraisal/objection_sent.html",
                    title=_("Keberatan diajukan"),
                    objection=reply.data,
                )
            errors = _errors(reply, "reason")
    return render_template(
        "appraisal/objection.html",
        title=_("Ajukan keberatan"),
        year=year,
        errors=errors,
        reason=request.form.get("reason", ""),
    ), (422 if errors else 200)


@blp.get("/keberatan")
@signed_in("employee", "supervisor")
def objections():
    """Keberatan saya: one's own objections; for a superior, also those to decide."""
    user = current_user()
    mine = call("appraisal", "GET", "objections", user.token, query={"scope": "mine"})
    if not mine.ok:
        return service_problem(mine)
    to_decide: list = []
    if user.has("supervisor"):
        reply = call("appraisal", "GET", "objections", user.token, query={"scope": "decide"})
        if not reply.ok:
            return service_problem(reply)
        to_decide = reply.data
    return render_template(
        "appraisal/objections.html",
        title=_("Keberatan saya"),
        mine=mine.data,
        to_decide=to_decide,
        year=this_year(),
    )


@blp.route("/keberatan/putuskan/<int:objection_id>", methods=["GET", "POST"])
@signed_in("supervisor")
def decide_objection(objection_id: int):
    """The appraiser's superior upholds (with the new ratings) or rejects an objection."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        upheld = form.get("upheld") == "1"
        body: dict = {"upheld": upheld, "reason": form.get("reason", "").strip()}
        if form.get("upheld") not in ("0", "1"):
            errors["upheld"] = _("Pilih keputusan")
        if not body["reason"]:
            errors["reason"] = _("Tuliskan alasan keputusan")
        if upheld:
            for name in ("results_rating", "behaviour_rating"):
                if form.get(name) not in RATINGS:
                    errors[name] = _("Pilih salah satu penilaian")
                body[name] = form.get(name)
        if not errors:
            reply = call(
                "appraisal",
                "POST",
                f"objections/{objection_id}/decision",
                user.token,
                json_body=body,
            )
            if reply.ok:
                flash(_("Keputusan atas keberatan disimpan."))
                return redirect(url_for("appraisal_pages.objections"))
            if reply.status == 403:
                return service_problem(reply)
            errors = _errors(reply, "reason")
    reply = call("appraisal", "GET", f"objections/{objection_id}", user.token)
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "appraisal/objection_decide.html",
        title=_("Putuskan keberatan"),
        objection=reply.data,
        form=form,
        errors=errors,
        ratings=RATINGS,
    ), (422 if errors else 200)


@blp.route("/unit", methods=["GET", "POST"])
@signed_in("admin")
def unit_form():
    """Choose a unit and year; set its rating; see the calibration and finalize."""
    user = current_user()
    unit = (request.values.get("unit") or "").strip()
    year = request.values.get("year", type=int) or this_year()
    errors: dict[str, str] = {}
    blockers: list = []
    if request.method == "POST" and unit:
        if request.form.get("action") == "rating":
            reply = call(
                "appraisal",
                "PUT",
                f"units/{unit}/{year}/rating",
                user.token,
                json_body={"rating": request.form.get("rating")},
            )
            if reply.ok:
                flash(_("Predikat kinerja organisasi disimpan."))
            else:
                errors = {"rating": reply.message()}
        elif request.form.get("action") == "finalize":
            reply = call("appraisal", "POST", f"units/{unit}/{year}/finalize", user.token)
            if reply.ok:
                flash(_("Penilaian unit %(unit)s tahun %(year)s ditetapkan.", unit=unit, year=year))
            else:
                blockers = (reply.data or {}).get("errors", {}).get("blockers", [])
                errors = {"finalize": _("Belum dapat ditetapkan; lihat penghalang di bawah.")}
    calibration = None
    if unit:
        reply = call("appraisal", "GET", f"units/{unit}/{year}/calibration", user.token)
        if reply.ok:
            calibration = reply.data
        elif reply.status != 404:
            errors.setdefault("unit", reply.message())
    return render_template(
        "appraisal/unit.html",
        title=_("Kalibrasi dan penetapan"),
        unit=unit,
        year=year,
        calibration=calibration,
        errors=errors,
        blockers=blockers or (calibration or {}).get("blockers", []),
        unit_ratings=UNIT_RATINGS,
        predikats=("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"),
    )
