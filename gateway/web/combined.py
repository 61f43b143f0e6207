"""The employee dossier, a supervisor's team and the unit dashboard (combined views as pages)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from contracts.appraisal import BERAKHLAK_VALUES
from contracts.identifiers import nip_problem
from gateway import combined
from gateway.calls import call
from gateway.web.identity import current_user, signed_in
from gateway.web.labels import N_
from gateway.web.render import forbidden, service_problem
from gateway.web.training import COMPETENCY_TYPES

blp = Blueprint("combined", __name__)
NAV = [
    ("combined.my_dossier", N_("Data saya"), ("employee", "supervisor")),
    ("combined.my_team", N_("Tim saya"), ("supervisor",)),
]
PREDIKATS = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else combined.this_year()


@blp.get("/saya")
@signed_in()
def my_dossier():
    """The signed-in employee's own dossier."""
    user = current_user()
    if not user.nip:
        return render_template(
            "refused.html",
            title=_("Data saya"),
            message=_("Akun Anda tidak terhubung dengan NIP."),
            status=404,
        ), 404
    return dossier_page(user.nip)


@blp.get("/pegawai/<nip>")
@signed_in()
def dossier_page(nip: str):
    """An employee's dossier: each part from its service, and which part is missing."""
    user = current_user()
    if nip_problem(nip):
        return render_template(
            "refused.html", title=_("Tidak ditemukan"), message=_("NIP tidak valid."), status=404
        ), 404
    headers = combined.service_headers(user.username)
    profiles: dict[str, combined.Part] = {}
    try:
        allowed = combined.may_see_dossier(
            nip, user.username, user.roles, user.nip, headers, profiles
        )
    except combined.CannotDecide:
        return render_template(
            "refused.html",
            title=_("Tidak dapat ditampilkan"),
            status=503,
            message=_(
                "Data pegawai tidak dapat dihubungi untuk memeriksa hak akses. Coba lagi nanti."
            ),
        ), 503
    if not allowed:
        return forbidden()
    view = combined.dossier(nip, _year(), user.username, headers, profiles)
    return render_template(
        "combined/dossier.html",
        title=_("Dosir pegawai"),
        view=view,
        nip=nip,
        values=BERAKHLAK_VALUES,
        jp_types=COMPETENCY_TYPES,
        own=(nip == user.nip),
    )


@blp.get("/tim")
@signed_in("supervisor")
def my_team():
    """The employees whose supervisor on the roster is the signed-in user."""
    user = current_user()
    if not user.nip:
        return forbidden()
    token = combined.service_token(user.username)
    reply = call(
        "recruitment",
        "GET",
        "employees",
        token,
        query={"supervisor_nip": user.nip, "page_size": 500},
    )
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "combined/team.html", title=_("Tim saya"), team=reply.data["items"], year=_year()
    )


@blp.get("/unit/<unit>")
@signed_in("admin", "supervisor")
def dashboard(unit: str):
    """A unit's dashboard: staff, calibration against the unit rating, training needs."""
    user = current_user()
    if not combined.may_see_dashboard(unit, user.roles, user.unit):
        return forbidden()
    view = combined.dashboard(unit, _year(), combined.service_headers(user.username))
    return render_template(
        "combined/dashboard.html",
        title=_("Dasbor unit %(unit)s", unit=unit),
        view=view,
        unit=unit,
        predikats=PREDIKATS,
    )
