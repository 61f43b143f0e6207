"""Issue 10 end to end through the gateway, every process real: a finalized appraisal makes
needs, a plan within budget becomes enrolments, completions fill the JP ledger, awards stops
saying JP_NOT_ASSESSED for that year; and a Latsar completion lets recruitment appoint the
CPNS as PNS."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.appraisal import BERAKHLAK_VALUES
from contracts.identifiers import make_nip

from .conftest import Platform, wait_until
from .test_appraisal_flow import RATINGS, Flow, person

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]

NEEDS_FROM = 2025  # its annual rating makes the 2026 development plan
PLAN_YEAR = 2026  # also appraised, so awards decides 2026 and training's JP of 2026 count


class TrainingFlow(Flow):
    """The appraisal flow for any year, and training calls."""

    def agreed_skp_of(self, nip: str, year: int, supervisor_token: str) -> None:
        body = {
            "nip": nip,
            "year": year,
            "period": "ANNUAL",
            "items": [{"result": "Layanan", "indicator": "Waktu", "target": "5 hari"}],
        }
        status, plan, _ = self.call("POST", "/appraisal/skp", self.staff_token(nip), body)
        assert status == 201, plan
        for token in (self.staff_token(nip), supervisor_token):
            status, agreed, _ = self.call("POST", f"/appraisal/skp/{plan['id']}/agree", token)
            assert status == 200, agreed

    def rate_in(self, year: int, nip: str, token: str, predikat: str, weak: str | None = None):
        results, behaviour = RATINGS[predikat]
        values = dict.fromkeys(BERAKHLAK_VALUES, behaviour)
        if weak:
            values[weak] = "DI_BAWAH"
        body = {
            "results_rating": results,
            "behaviour_rating": behaviour,
            "behaviour_values": values,
            "results_comment": "Sesuai SKP.",
        }
        status, rated, _ = self.call(
            "PUT", f"/appraisal/appraisals/{nip}/{year}/ANNUAL", token, body
        )
        assert status == 200, rated

    def ok(self, method: str, path: str, token, body=None, expected: int = 200):
        status, answer, _ = self.call(method, f"/training{path}", token, body)
        assert status == expected, (status, answer)
        return answer


def test_needs_plan_enrolments_completions_ledger_awards_and_latsar(platform: Platform):
    flow = TrainingFlow(platform)
    admin = flow.user("bkd-training-e2e", "admin")
    head = person(31, "SETDA", None)
    sup = person(32, "SETDA", head["nip"], "F")
    star, steady, weak = (person(40 + i, "DPMPTSP", sup["nip"]) for i in range(3))
    tmt = date(2025, 3, 1)
    cpns_nip = make_nip(date(1999, 5, 5), tmt.year, tmt.month, "F", 77)
    cpns = {
        **person(50, "BKD", sup["nip"], "F"),  # another unit: not rated here
        "nip": cpns_nip,
        "birth_date": "1999-05-05",
        "tmt_cpns": tmt.isoformat(),
        "appointed_on": tmt.isoformat(),
        "status": "CPNS",
    }
    for record in (head, sup, star, steady, weak, cpns):
        status, body, _ = flow.call("POST", "/recruitment/employees", admin, record)
        assert status == 201, body
    wait_until(
        lambda: flow.call("GET", f"/appraisal/employees/{cpns_nip}", admin)[0] == 200,
        timeout=20,
        message="the roster in appraisal",
    )
    token = flow.user("kabid-training", "supervisor", "employee", nip=sup["nip"])

    # Two annual ratings: 2025 (its gaps plan 2026) and 2026 (awards decides 2026).
    for year in (NEEDS_FROM, PLAN_YEAR):
        status, body, _ = flow.call(
            "POST", "/appraisal/periods", admin, {"year": year, "kind": "ANNUAL"}
        )
        assert status == 201, body
        status, body, _ = flow.call(
            "PUT", f"/appraisal/units/DPMPTSP/{year}/rating", admin, {"rating": "BAIK"}
        )
        assert status == 200, body
        for employee in (star, steady, weak):
            flow.agreed_skp_of(employee["nip"], year, token)
        flow.rate_in(year, star["nip"], token, "SANGAT_BAIK")
        flow.rate_in(year, steady["nip"], token, "BAIK")
        flow.rate_in(year, weak["nip"], token, "KURANG", "kompeten")
        status, body, _ = flow.call("POST", f"/appraisal/units/DPMPTSP/{year}/finalize", admin)
        assert status == 200, body

    def decision_of(nip: str, code_prefix: str):
        status, body, _ = flow.call("GET", f"/awards/eligibility/{PLAN_YEAR}/{nip}", admin)
        if status != 200:
            return None
        codes = [r["code"] for r in body["reasons"]]
        return body if any(c.startswith(code_prefix) for c in codes) else None

    before = wait_until(
        lambda: decision_of(star["nip"], "JP_NOT_ASSESSED"), 20, message="2026 decision"
    )
    assert before["eligible"] is True

    def needs_of(nip: str, year: int):
        status, body, _ = flow.call("GET", f"/training/needs?nip={nip}&year={year}", admin)
        return body if status == 200 and body else None

    weak_needs = wait_until(lambda: needs_of(weak["nip"], PLAN_YEAR), 20, message="needs")
    assert {n["competency"] for n in weak_needs} >= {
        "Pengembangan kinerja",
        "Kompetensi teknis bidang tugas",
    }

    # The catalogue: a provider, a partner with free seats, courses and 2026 sessions.
    bpsdm = flow.ok("POST", "/providers", admin, {"name": "BPSDM Malut", "kind": "BPSDM"}, 201)
    pid = bpsdm["provider_id"]
    courses = {}
    for competency, ctype, jp in (
        ("Pengembangan kinerja", "MANAJERIAL", 24),
        ("Kompetensi teknis bidang tugas", "TEKNIS", 16),
        ("Akuntabilitas dan integritas", "MANAJERIAL", 8),
        ("Pelatihan Dasar CPNS (Latsar)", "SOSIAL_KULTURAL", 120),
    ):
        body = {
            "title": f"Pelatihan {competency}",
            "competency_type": ctype,
            "competency": competency,
            "mode": "CLASSICAL",
            "jp": jp,
            "cost_per_participant": 3_000_000,
            "provider_id": pid,
        }
        courses[competency] = flow.ok("POST", "/courses", admin, body, 201)["course_id"]
    bad = flow.call("POST", "/training/courses", admin, {**body, "cost_per_participant": -1})
    assert bad[0] == 422 and "cost_per_participant" in bad[1]["errors"]["json"]
    windows = {
        "Pengembangan kinerja": ("2026-03-02", "2026-03-06"),
        "Kompetensi teknis bidang tugas": ("2026-04-06", "2026-04-08"),
        "Pelatihan Dasar CPNS (Latsar)": ("2025-09-01", "2025-10-31"),
    }
    sessions = {}
    for competency, (starts, ends) in windows.items():
        body = {
            "course_id": courses[competency],
            "starts_on": starts,
            "ends_on": ends,
            "place": "Sofifi",
            "capacity": 10,
        }
        sessions[competency] = flow.ok("POST", "/sessions", admin, body, 201)["session_id"]

    # The 2026 plan within a budget that pays both of the weak performer's courses.
    plan = flow.ok("POST", "/plans", admin, {"year": PLAN_YEAR, "budget": 6_000_000}, 201)
    assert plan["cost"] == 6_000_000
    assert plan["summary"]["covered_by_kind"]["DEVELOPMENT"] == 1
    assert plan["summary"]["covered_by_kind"]["COMPETENCY"] == 1
    adopted = flow.ok("POST", f"/plans/{plan['plan_id']}/adopt", admin)
    assert adopted["enrolments"] == 2
    enrolled = flow.ok("GET", f"/enrolments?plan_id={plan['plan_id']}", admin)
    assert {e["nip"] for e in enrolled} == {weak["nip"]}

    # Completions: the JP ledger of 2026 and the needs closed.
    for item in enrolled:
        done = flow.ok(
            "POST",
            f"/enrolments/{item['enrolment_id']}/completion",
            admin,
            {"attended": True, "passed": True, "certificate_number": f"SERT/{item['need_id']}"},
        )
        assert done["status"] == "COMPLETED"
    year = flow.ok("GET", f"/ledger/{PLAN_YEAR}/{weak['nip']}", admin)
    assert (year["total"], year["compliant"]) == (40.0, True)
    # Behaviour DI_BAWAH puts every BerAKHLAK value below: only the two with 2026 sessions are
    # done; the others wait (the plan said why).
    done = {n["competency"] for n in needs_of(weak["nip"], PLAN_YEAR) if n["status"] == "DONE"}
    assert done == {"Pengembangan kinerja", "Kompetensi teknis bidang tugas"}
    assert set(plan["summary"]["uncovered_by_reason"]) == {"NO_SESSION"}
    units = flow.ok("GET", f"/ledger/{PLAN_YEAR}/units?as_of=2026-12-01", admin)
    dpm = next(u for u in units if u["unit"] == "DPMPTSP")
    assert dpm["compliant"] == 1

    # Awards: the 2026 ledger is open now; the star has no JP, so JP decides.
    after = wait_until(
        lambda: decision_of(star["nip"], "JP_BELOW_MINIMUM"), 20, message="JP assessed"
    )
    assert after["eligible"] is False
    weak_decision = wait_until(lambda: decision_of(weak["nip"], "JP_COMPLIANT"), 20)
    assert weak_decision["eligible"] is False  # KURANG: JP alone does not make eligible

    # Latsar: recruitment refuses CPNS -> PNS until training's completion arrives.
    path = f"/recruitment/employees/{cpns_nip}"
    status, body, _ = flow.call("PATCH", path, admin, {"status": "PNS"})
    assert status == 422 and "Latsar" in body["errors"]["json"]["status"][0], body
    warned = flow.ok("GET", "/latsar?as_of=2026-01-15&warnings_only=true", admin)
    assert [w["nip"] for w in warned] == [cpns_nip]
    [latsar_need] = needs_of(cpns_nip, 2025)
    booked = flow.ok(
        "POST",
        "/enrolments",
        admin,
        {
            "session_id": sessions["Pelatihan Dasar CPNS (Latsar)"],
            "nip": cpns_nip,
            "need_id": latsar_need["need_id"],
        },
        201,
    )
    flow.ok(
        "POST",
        f"/enrolments/{booked['enrolment_id']}/completion",
        admin,
        {"attended": True, "passed": True, "certificate_number": "LATSAR/2025/077"},
    )

    def appointed_pns():
        status, body, _ = flow.call("PATCH", path, admin, {"status": "PNS"})
        return body if status == 200 else None

    pns = wait_until(appointed_pns, 20, message="CPNS appointed PNS after Latsar")
    assert pns["status"] == "PNS"
