"""Awards: the public list of Sofifi Berprestasi winners, the programmes and their criteria,
nominating, and the committee's nominations with the scoring form and recusal."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.calls import call
from gateway.combined import this_year
from gateway.web.identity import current_user, signed_in
from gateway.web.labels import N_
from gateway.web.render import service_problem

blp = Blueprint("awards_pages", __name__, url_prefix="/penghargaan")
NAV = [
    ("awards_pages.programmes", N_("Penghargaan"), ("admin", "committee", "supervisor", "employee"))
]
STAFF = ("admin", "committee", "supervisor", "employee")


@blp.get("/sofifi-berprestasi")
def public_list():
    """The year's Sofifi Berprestasi winners by category and unit, with the criteria (public)."""
    year = request.args.get("year", type=int)
    year = year if year and 2000 <= year <= 2100 else this_year() - 1
    reply = call("awards", "GET", f"public/sofifi-berprestasi/{year}", None)
    if not reply.ok and reply.status != 404:
        return service_problem(reply)
    return render_template(
        "awards/public.html",
        title=_("Penerima Sofifi Berprestasi %(year)s", year=year),
        year=year,
        data=reply.data if reply.ok else None,
    )


@blp.get("")
@signed_in(*STAFF)
def programmes():
    """Every programme, newest year first, with its timeline."""
    reply = call("awards", "GET", "programmes", current_user().token)
    if not reply.ok:
        return service_problem(reply)
    return render_template(
        "awards/programmes.html", title=_("Penghargaan Sofifi Berprestasi"), items=reply.data
    )


@blp.get("/<pid>")
@signed_in(*STAFF)
def programme(pid: str):
    """A programme: timeline, categories, criteria; the nominations for BKD and the committee."""
    user = current_user()
    found = call("awards", "GET", f"programmes/{pid}", user.token)
    if not found.ok:
        return service_problem(found)
    nominations = None
    if user.has("admin", "committee"):
        listed = call("awards", "GET", f"programmes/{pid}/nominations", user.token)
        nominations = listed.data if listed.ok else None
    return render_template(
        "awards/programme.html",
        title=found.data["title"],
        programme=found.data,
        nominations=nominations,
    )


@blp.route("/<pid>/usulkan", methods=["GET", "POST"])
@signed_in("supervisor", "employee")
def nominate(pid: str):
    """Nominate an eligible employee (a supervisor up the chain; oneself where allowed)."""
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    found = call("awards", "GET", f"programmes/{pid}", user.token)
    if not found.ok:
        return service_problem(found)
    if request.method == "POST":
        for name, message in (
            ("nip", _("Masukkan NIP calon penerima")),
            ("statement", _("Tuliskan alasan pengusulan")),
        ):
            if not form.get(name, "").strip():
                errors[name] = message
        if not errors:
            evidence = []
            if form.get("evidence_title", "").strip():
                item = {"title": form["evidence_title"].strip()}
                if form.get("evidence_url", "").strip():
                    item["url"] = form["evidence_url"].strip()
                evidence.append(item)
            body = {
                "category": form.get("category"),
                "nip": form["nip"].strip(),
                "statement": form["statement"].strip(),
                "evidence": evidence,
            }
            reply = call(
                "awards", "POST", f"programmes/{pid}/nominations", user.token, json_body=body
            )
            if reply.ok:
                flash(_("Usulan dikirim."))
                return redirect(url_for("awards_pages.nomination", nomination_id=reply.data["id"]))
            errors = reply.field_errors() or {"nip": reply.message()}
            if "evidence" in errors:
                errors["evidence_title"] = errors.pop("evidence")
    return render_template(
        "awards/nominate.html",
        title=_("Usulkan calon penerima"),
        programme=found.data,
        form=form,
        errors=errors,
    ), (422 if errors else 200)


@blp.route("/usulan/<int:nomination_id>", methods=["GET", "POST"])
@signed_in(*STAFF)
def nomination(nomination_id: int):
    """A nomination; a committee member scores it, or sees why they must recuse."""
    user = current_user()
    errors: dict[str, str] = {}
    found = call("awards", "GET", f"nominations/{nomination_id}", user.token)
    if not found.ok:
        return service_problem(found)
    programme = call("awards", "GET", f"programmes/{found.data['programme_id']}", user.token)
    if not programme.ok:
        return service_problem(programme)
    criteria = programme.data["criteria"]
    if request.method == "POST" and user.has("committee"):
        if request.form.get("action") == "recuse":
            reply = call("awards", "POST", f"nominations/{nomination_id}/recusal", user.token)
            field = "recuse"
        else:
            scores, errors = _scores(criteria)
            reply = None
            if not errors:
                note = request.form.get("note", "").strip() or None
                reply = call(
                    "awards",
                    "POST",
                    f"nominations/{nomination_id}/scores",
                    user.token,
                    json_body={"scores": scores, "note": note},
                )
            field = f"score-{criteria[0]['code']}"
        if reply is not None and reply.ok:
            flash(_("Tersimpan."))
            return redirect(url_for("awards_pages.nomination", nomination_id=nomination_id))
        if reply is not None:
            errors = {field: reply.message()}
    sheets = None
    if user.has("admin") or found.data.get("my_status") == "SCORED":
        scored = call("awards", "GET", f"nominations/{nomination_id}/scores", user.token)
        sheets = scored.data if scored.ok else None
    return render_template(
        "awards/nomination.html",
        title=_("Usulan %(name)s", name=found.data["name"]),
        n=found.data,
        programme=programme.data,
        criteria=criteria,
        sheets=sheets,
        form=request.form,
        errors=errors,
    ), (422 if errors else 200)


def _scores(criteria: list[dict]) -> tuple[dict[str, float], dict[str, str]]:
    scores: dict[str, float] = {}
    errors: dict[str, str] = {}
    for criterion in criteria:
        name = f"score-{criterion['code']}"
        text = request.form.get(name, "").strip().replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 100:
            errors[name] = _("Nilai %(c)s: angka 0 sampai 100", c=criterion["name"])
        else:
            scores[criterion["code"]] = value
    return scores, errors
