"""Appraisal's demo data: last year's period, unit ratings, agreed SKPs, ratings, finalization."""

from __future__ import annotations

from sofifi.demo.client import DemoError, wait_for
from sofifi.demo.province import Rating
from sofifi.demo.steps import Demo, Step

SERVICE = "appraisal"
SKP_ITEMS = [
    {
        "result": "Layanan administrasi unit terselenggara tepat waktu",
        "indicator": "Persentase layanan selesai sesuai SOP",
        "target": "95%",
    },
    {
        "result": "Laporan kinerja triwulanan tersusun",
        "indicator": "Jumlah laporan diterima pimpinan",
        "target": "4 laporan",
    },
]


def wait_for_roster(demo: Demo) -> None:
    """Poll until the appraisal service knows every demo employee (it learns them by events)."""
    admin = demo.admin
    pending = {p.nip for p in demo.province.people}
    last = demo.province.people[-1].nip  # the import publishes in file order

    def known(nip: str) -> bool:
        return demo.gateway.call("GET", f"/appraisal/employees/{nip}", admin).status == 200

    def all_known() -> bool | None:
        if last in pending and not known(last):
            return None
        nips = sorted(pending)
        pending.difference_update(
            nip for nip, ok in zip(nips, demo.each(known, nips), strict=True) if ok
        )
        return None if pending else True

    wait_for("the roster in the appraisal service", all_known, demo.timeout)


def open_period(demo: Demo) -> None:
    """The annual period of the demo year (409: it is there already)."""
    body = {"year": demo.province.year, "kind": "ANNUAL"}
    answer = demo.gateway.call("POST", "/appraisal/periods", demo.admin, body)
    answer.expect(201, 409)
    if answer.status == 201:
        demo.count(SERVICE, "annual period")


def rate_and_finalize(demo: Demo) -> None:
    """Per unit not finalized yet: its rating, the missing SKPs and ratings, then finalization."""
    province, gateway, admin = demo.province, demo.gateway, demo.admin
    year = province.year
    finalized: list[Rating] = []
    for unit, _name in province.units:
        path = f"/appraisal/units/{unit}/{year}"
        calibration = gateway.call("GET", f"{path}/calibration", admin).expect(200)
        if calibration["finalized_at"]:
            continue
        wanted = province.unit_ratings[unit]
        if calibration["unit_rating"] != wanted:
            gateway.call("PUT", f"{path}/rating", admin, {"rating": wanted}).expect(200)
            demo.count(SERVICE, "unit ratings")
        unrated = [entry["nip"] for entry in calibration["unrated"]]
        strangers = [nip for nip in unrated if nip not in province.ratings]
        if strangers:
            demo.problems.append(
                f"appraisal: unit {unit} holds {len(strangers)} employee(s) outside the demo "
                f"(e.g. {strangers[0]}); its {year} is left unfinalized"
            )
            continue
        plans = demo.each(lambda nip: _rate(demo, province.ratings[nip]), unrated)
        demo.count(SERVICE, "SKP plans agreed", sum(plans))
        demo.count(SERVICE, "appraisals rated", len(unrated))
        answer = gateway.call("POST", f"{path}/finalize", admin)
        if answer.status == 409:
            demo.problems.append(f"appraisal: unit {unit} not finalized: {answer.body}")
            continue
        done = answer.expect(200)["appraisals"]
        demo.count(SERVICE, "units finalized")
        demo.count(SERVICE, "appraisals finalized", len(done))
        finalized += [province.ratings[a["nip"]] for a in done if a["nip"] in province.ratings]
    demo.seen["finalized"] = finalized


def _rate(demo: Demo, rating: Rating) -> int:
    """Agree the person's SKP (employee and supervisor) and rate it; 1 when an SKP was made."""
    gateway, tokens, year = demo.gateway, demo.tokens, demo.province.year
    person = demo.province.person(rating.nip)
    staff, boss = tokens.employee(person.nip), tokens.supervisor(person.supervisor_nip)
    body = {"nip": person.nip, "year": year, "period": "ANNUAL", "items": SKP_ITEMS}
    plan = gateway.call("POST", "/appraisal/skp", staff, body)
    made = plan.status == 201
    if made:
        for token in (staff, boss):
            gateway.call("POST", f"/appraisal/skp/{plan.body['id']}/agree", token).expect(200)
    else:
        plan.expect(409)  # made by an earlier run: agreed then, or the rating below says why
    answer = gateway.call(
        "PUT", f"/appraisal/appraisals/{person.nip}/{year}/ANNUAL", boss, rating.body()
    )
    if answer.status != 200:
        raise DemoError(
            f"rating {person.nip} was refused ({answer.status}: {answer.body}); if an earlier "
            "run was killed between making this SKP and agreeing it, the employee and the "
            "supervisor agree it (POST /api/v1/appraisal/skp/<id>/agree), then run again"
        )
    return int(made)


STEPS = (
    Step(SERVICE, "the roster, by events", wait_for_roster),
    Step(SERVICE, "the annual period", open_period),
    Step(SERVICE, "ratings and finalization", rate_and_finalize),
)
