"""Awards for BKD: publish a year's programme, the committee's ranking, the decision and the
list of awardees with its CSV/XLSX export."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.calls import call
from gateway.combined import this_year
from gateway.web.export import spreadsheet
from gateway.web.identity import current_user, signed_in
from gateway.web.render import service_problem

blp = Blueprint("awards_admin", __name__, url_prefix="/penghargaan/bkd")
NAV: list = []
DATES = (
    "nominations_open",
    "nominations_close",
    "scoring_open",
    "scoring_close",
    "decision_on",
    "announcement_on",
)
CATEGORY_ROWS = 2
CRITERION_ROWS = 4
GRANT_COLUMNS = ("grant_id", "nip", "name", "unit", "position", "category", "rank", "score")
GRANT_COLUMNS += ("amount", "granted_on", "revoked_on", "revocation_reason")


def _rows(prefix: str, count: int, keys: tuple[str, ...]) -> list[dict[str, str]]:
    rows = [
        {k: request.form.get(f"{prefix}-{i}-{k}", "").strip() for k in keys} for i in range(count)
    ]
    return [row for row in rows if any(row.values())]


def _number(text: str) -> Any:
    cleaned = text.replace(".", "")
    return int(cleaned) if cleaned.isdigit() else text


def _programme_body() -> dict[str, Any]:
    form = request.form
    category_keys = ("code", "name", "quota", "incentive_amount", "self_nomination")
    categories = [
        {
            "code": row["code"].upper(),
            "name": row["name"],
            "quota": _number(row["quota"]),
            "incentive_amount": _number(row["incentive_amount"]),
            "self_nomination": bool(row["self_nomination"]),
        }
        for row in _rows("category", CATEGORY_ROWS, category_keys)
    ]
    criteria = [
        {"code": r["code"].upper(), "name": r["name"], "weight": _number(r["weight"])}
        | ({"description": r["description"]} if r["description"] else {})
        for r in _rows("criterion", CRITERION_ROWS, ("code", "name", "weight", "description"))
    ]
    return {
        "year": _number(form.get("year", "")),
        "title": form.get("title", "").strip(),
        "total_budget": _number(form.get("total_budget", "").strip()),
        "min_scorers": _number(form.get("min_scorers", "").strip() or "3"),
        **{d: form.get(d) or None for d in DATES},
        "categories": categories,
        "criteria": criteria,
    }


def _page_errors(data: Any) -> dict[str, str]:
    """The service's 422 as the form's fields: `categories.0.quota` is `category-0-quota`."""
    found: dict[str, str] = {}
    names = {"categories": "category", "criteria": "criterion"}
    for field, reasons in ((data or {}).get("errors") or {}).get("json", {}).items():
        if field in names and isinstance(reasons, dict):
            for index, inner in reasons.items():
                if isinstance(inner, dict):
                    for key, why in inner.items():
                        text = why[0] if isinstance(why, list) else str(why)
                        found[f"{names[field]}-{index}-{key}"] = text
                else:
                    found[f"{names[field]}-0-code"] = str(inner[0] if inner else index)
        elif field in names:
            found[f"{names[field]}-0-code"] = reasons[0] if isinstance(reasons, list) else reasons
        else:
            found[field] = reasons[0] if isinstance(reasons, list) else str(reasons)
    return found


@blp.route("/baru", methods=["GET", "POST"])
@signed_in("admin")
def new_programme():
    """Publish a year's Sofifi Berprestasi: categories, weighted criteria, budget, timeline."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        reply = call(
            "awards", "POST", "programmes", current_user().token, json_body=_programme_body()
        )
        if reply.ok:
            flash(_("Program %(id)s diterbitkan.", id=reply.data["id"]))
            return redirect(url_for("awards_pages.programme", pid=reply.data["id"]))
        errors = _page_errors(reply.data) or {"year": reply.message()}
    return render_template(
        "awards/programme_new.html",
        title=_("Program Sofifi Berprestasi baru"),
        form=request.form,
        errors=errors,
        year=request.form.get("year") or this_year() - 1,
        dates=DATES,
        category_rows=range(CATEGORY_ROWS),
        criterion_rows=range(CRITERION_ROWS),
    ), (422 if errors else 200)


@blp.route("/<pid>", methods=["GET", "POST"])
@signed_in("admin")
def decision(pid: str):
    """The committee's ranking per category, the decision form, and the decided awards."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = [int(v) for v in request.form.getlist("awards") if v.isdigit()]
        reply = call(
            "awards", "POST", f"programmes/{pid}/decision", user.token, json_body={"awards": chosen}
        )
        if reply.ok:
            flash(_("Keputusan dicatat; penerima diberitahukan."))
            return redirect(url_for("awards_admin.decision", pid=pid))
        errors = {"awards": (reply.field_errors() or {}).get("awards") or reply.message()}
    programme = call("awards", "GET", f"programmes/{pid}", user.token)
    if not programme.ok:
        return service_problem(programme)
    decided = call("awards", "GET", f"programmes/{pid}/decision", user.token)
    ranking = None
    if not decided.ok:
        found = call("awards", "GET", f"programmes/{pid}/ranking", user.token)
        ranking = found.data if found.ok else None
    nominations = call("awards", "GET", f"programmes/{pid}/nominations", user.token)
    names = {n["id"]: n for n in (nominations.data if nominations.ok else [])}
    return render_template(
        "awards/decision.html",
        title=_("Keputusan %(t)s", t=programme.data["title"]),
        programme=programme.data,
        decided=decided.data if decided.ok else None,
        ranking=ranking,
        names=names,
        errors=errors,
    ), (422 if errors else 200)


@blp.get("/<pid>/penerima.<kind>")
@signed_in("admin")
def awardees_download(pid: str, kind: str):
    """The decided awards (grants, with revocations) as CSV or XLSX."""
    if kind not in ("csv", "xlsx"):
        return render_template("refused.html", title=_("Tidak ditemukan"), status=404), 404
    reply = call("awards", "GET", f"programmes/{pid}/decision", current_user().token)
    if not reply.ok:
        return service_problem(reply)
    rows = ([g.get(c) for c in GRANT_COLUMNS] for g in reply.data["grants"])
    return spreadsheet(f"penerima-{pid}", kind, GRANT_COLUMNS, rows)


@blp.route("/<pid>/jadwal", methods=["GET", "POST"])
@signed_in("admin")
def timeline(pid: str):
    """Move the programme's dates: open or close nominations and scoring early or late."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        body = {d: request.form[d] for d in DATES if request.form.get(d)}
        reply = call("awards", "PATCH", f"programmes/{pid}", user.token, json_body=body)
        if reply.ok:
            flash(_("Jadwal disimpan."))
            return redirect(url_for("awards_pages.programme", pid=pid))
        errors = reply.field_errors() or {DATES[0]: reply.message()}
    found = call("awards", "GET", f"programmes/{pid}", user.token)
    if not found.ok:
        return service_problem(found)
    return render_template(
        "awards/timeline.html",
        title=_("Jadwal %(t)s", t=found.data["title"]),
        programme=found.data,
        form=request.form,
        dates=DATES,
        errors=errors,
    ), (422 if errors else 200)
