"""The JP ledger, external learning, exports, Latsar tracking and annual plans over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from chassis.jobrunner import JobRunner
from services.training.jobs import JOBS
from tests.service.training_courses_support import Training

MAR = (date(2025, 3, 3), date(2025, 3, 7))


@pytest.fixture
def t(make_service, keys, employee_events) -> Training:
    return Training(make_service("training"), keys, employee_events)


def external(t: Training, nip: str, jp: float = 8, **kw) -> dict:
    body = {
        "nip": nip,
        "title": "Seminar Nasional Pelayanan Publik",
        "organiser": "KemenPAN-RB",
        "competency_type": "TEKNIS",
        "jp": jp,
        "completed_on": "2025-06-10",
        "evidence": "https://asn.example/sertifikat/123",
        **kw,
    }
    return t.ok("POST", "/external-learning", body, 201, headers=t.employee(nip))


def test_external_learning_counts_only_once_approved(t):
    nip = t.appoint(1)
    pending = external(t, nip, jp=8)
    assert pending["status"] == "PENDING"
    year = t.ok("GET", f"/ledger/2025/{nip}")
    assert (year["total"], year["pending_external"]) == (0, 8)
    assert t.completions() == []
    other = t.appoint(2)
    refused = t.call(
        "POST",
        "/external-learning",
        {
            **{
                k: pending[k]
                for k in ("title", "organiser", "competency_type", "jp", "completed_on", "evidence")
            },
            "nip": other,
        },
        headers=t.employee(nip),
    )
    assert refused.status_code == 403
    no_reason = t.call(
        "POST", f"/external-learning/{pending['external_id']}/decision", {"approve": False}
    )
    assert no_reason.status_code == 422 and "note" in no_reason.json["errors"]["json"]
    approved = t.ok(
        "POST", f"/external-learning/{pending['external_id']}/decision", {"approve": True}
    )
    assert approved["status"] == "APPROVED"
    year = t.ok("GET", f"/ledger/2025/{nip}")
    assert (year["total"], year["pending_external"], year["by_type"]["TEKNIS"]) == (8, 0, 8)
    [event] = t.completions()
    assert event["data"]["source"] == "EXTERNAL"
    assert (event["data"]["jp_year_total"], event["data"]["course_id"]) == (8, "EXTERNAL")
    again = t.call(
        "POST", f"/external-learning/{pending['external_id']}/decision", {"approve": True}
    )
    assert again.status_code == 409


def test_the_ledger_per_employee_and_unit_with_at_risk_and_exports(t):
    ok = t.appoint(1, unit="BKD")
    short = t.appoint(2, unit="BKD")
    other = t.appoint(3, unit="DINKES")
    session = t.session(t.course(t.provider()), *MAR, capacity=5)["session_id"]
    t.complete(t.nominate(session, ok)["enrolment_id"])
    later = t.session(
        t.course(t.provider("LAN RI", "LAN"), competency="Perekat bangsa", jp=8),
        date(2025, 11, 3),
        date(2025, 11, 4),
    )["session_id"]
    t.nominate(later, short)  # booked: 8 JP scheduled, still short of 20
    rows = t.ok("GET", "/ledger/2025", as_of="2025-10-15")
    assert [(r["nip"], r["total"], r["compliant"], r["at_risk"], r["scheduled"]) for r in rows] == [
        (ok, 24.0, True, False, 0.0),
        (short, 0.0, False, True, 8.0),
        (other, 0.0, False, True, 0.0),
    ]
    assert {r["months_left"] for r in rows} == {3}
    risk = t.ok("GET", "/ledger/2025/at-risk", unit="BKD", as_of="2025-10-15")
    assert [r["nip"] for r in risk] == [short]
    units = t.ok("GET", "/ledger/2025/units", as_of="2025-10-15")
    assert [
        (u["unit"], u["employees"], u["compliant"], u["rate"], u["at_risk"]) for u in units
    ] == [
        ("BKD", 2, 1, 0.5, 1),
        ("DINKES", 1, 0, 0.0, 1),
    ]
    text = t.call("GET", "/ledger/2025/export", format="csv", as_of="2025-10-15")
    assert text.status_code == 200 and text.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(text.get_data(as_text=True))))
    assert [(r["nip"], r["total"], r["compliant"]) for r in table] == [
        (ok, "24.0", "True"),
        (short, "0.0", "False"),
        (other, "0.0", "False"),
    ]
    book = t.call("GET", "/ledger/2025/export", format="xlsx", unit="BKD")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.data)).active
    values = list(sheet.values)
    assert values[0][:3] == ("nip", "name", "unit")
    assert [v[0] for v in values[1:]] == [ok, short]
    assert t.call("GET", "/ledger/2025/export", format="pdf").status_code == 422
    assert t.call("GET", "/ledger/2025", headers=t.employee(ok)).status_code == 403
    assert t.call("GET", f"/ledger/2025/{short}", headers=t.employee(ok)).status_code == 403
    assert t.call("GET", "/ledger/2025/123").status_code == 422


def test_latsar_is_tracked_and_warned_before_probation_ends(t):
    cpns = t.appoint(1, status="CPNS", tmt=(2025, 3))
    t.appoint(2)  # a PNS owes no Latsar
    rows = t.ok("GET", "/latsar", as_of="2025-12-15")
    assert [(r["nip"], r["probation_ends"], r["days_left"], r["warning"]) for r in rows] == [
        (cpns, "2026-03-01", 76, True)
    ]
    assert t.ok("GET", "/latsar", as_of="2025-06-01", warnings_only=True) == []
    course = t.course(
        t.provider(),
        competency="Pelatihan Dasar CPNS (Latsar)",
        competency_type="SOSIAL_KULTURAL",
        jp=120,
    )
    session = t.session(course, date(2025, 9, 1), date(2025, 10, 31), capacity=30)["session_id"]
    t.complete(t.nominate(session, cpns)["enrolment_id"])
    [row] = t.ok("GET", "/latsar", as_of="2025-12-15")
    assert (row["latsar_passed"], row["warning"]) == (True, False)
    [event] = t.completions()
    assert event["data"]["latsar"] is True
    [need] = t.ok("GET", "/needs", nip=cpns)
    assert need["status"] == "DONE"


def test_a_plan_within_budget_is_adopted_as_enrolments(t):
    nips = [t.appoint(k) for k in (1, 2, 3)]
    cpns = t.appoint(4, status="CPNS", tmt=(2025, 2))
    for nip in nips:
        t.needs_from_appraisal(nip)  # Kerja sama, plan year 2025
    provider = t.provider()
    cheap = t.session(t.course(provider, cost_per_participant=1_000_000), *MAR, capacity=2)
    latsar = t.course(
        provider,
        competency="Pelatihan Dasar CPNS (Latsar)",
        competency_type="SOSIAL_KULTURAL",
        jp=120,
        cost_per_participant=5_000_000,
    )
    t.session(latsar, date(2025, 5, 5), date(2025, 6, 30), capacity=10)
    # Budget: Latsar (5 M) and two of the three Kerja sama seats (1 M each).
    plan = t.ok("POST", "/plans", {"year": 2025, "budget": 7_000_000}, 201)
    summary = plan["summary"]
    assert (plan["status"], plan["cost"]) == ("DRAFT", 7_000_000)
    assert summary["covered_by_kind"] == {"LATSAR": 1, "COMPETENCY": 2, "DEVELOPMENT": 0}
    assert summary["uncovered"] == 1
    assert summary["uncovered_by_reason"] == {"NO_SEAT": 1}
    assert summary["plus_10_percent"]["extra_needs"] == 0
    covered = t.ok("GET", f"/plans/{plan['plan_id']}/items", covered="true")
    assert covered[0]["nip"] == cpns and "Latsar" in covered[0]["explanation"]
    left = t.ok("GET", f"/plans/{plan['plan_id']}/items", covered="false")
    assert len(left) == 1 and left[0]["session_id"] is None
    adopted = t.ok("POST", f"/plans/{plan['plan_id']}/adopt")
    assert (adopted["enrolments"], adopted["status"]) == (3, "ADOPTED")
    rows = t.ok("GET", "/enrolments", plan_id=plan["plan_id"])
    assert {r["origin"] for r in rows} == {"PLAN"} and len(rows) == 3
    assert t.ok("GET", f"/sessions/{cheap['session_id']}")["enrolled"] == 2
    assert t.call("POST", f"/plans/{plan['plan_id']}/adopt").status_code == 409


def test_a_plan_over_budget_or_with_bad_input_stores_nothing(t):
    nips = [t.appoint(k) for k in (1, 2)]
    for nip in nips:
        t.needs_from_appraisal(nip)
    session = t.session(t.course(t.provider(), cost_per_participant=1_000_000), *MAR, capacity=5)
    plan = t.ok("POST", "/plans", {"year": 2025, "budget": 2_000_000}, 201)
    # Meanwhile someone else is booked by hand: adopting would now exceed the budget.
    t.nominate(session["session_id"], t.appoint(3))
    refused = t.call("POST", f"/plans/{plan['plan_id']}/adopt")
    assert refused.status_code == 409
    assert refused.json["errors"] == {
        "budget": 2_000_000,
        "committed": 1_000_000,
        "plan_cost": 2_000_000,
    }
    assert t.ok("GET", "/enrolments", plan_id=plan["plan_id"]) == []
    assert t.ok("GET", f"/plans/{plan['plan_id']}")["status"] == "DRAFT"
    negative = t.call("POST", "/plans", {"year": 2025, "budget": -1})
    assert negative.status_code == 422 and "budget" in negative.json["errors"]["json"]
    too_small = t.call("POST", "/plans", {"year": 2025, "budget": 500_000})
    assert too_small.status_code == 422 and "budget" in too_small.json["errors"]["json"]
    assert t.service.count("plans") == 1
    assert t.call("GET", "/plans/PLN-NOPE").status_code == 404


def test_adoption_charges_seats_as_they_are_now(t):
    nip = t.appoint(1)
    t.needs_from_appraisal(nip)
    provider = t.provider()
    course = t.course(provider, cost_per_participant=1_000_000)
    t.ok(
        "POST",
        "/partnerships",
        {
            "provider_id": provider,
            "mou_number": "MoU/7",
            "valid_from": "2025-01-01",
            "valid_until": "2025-12-31",
            "free_seats_per_year": 1,
            "course_ids": [course],
        },
        201,
    )
    session = t.session(course, *MAR, capacity=5)
    plan = t.ok("POST", "/plans", {"year": 2025, "budget": 0}, 201)
    assert (plan["cost"], plan["summary"]["covered"]) == (0, 1)  # the MoU's free seat
    # The free seat goes to someone nominated by hand before the plan is adopted.
    other = t.nominate(session["session_id"], t.appoint(2))
    assert (other["cost"], other["free_seat"]) == (0, True)
    refused = t.call("POST", f"/plans/{plan['plan_id']}/adopt")
    assert refused.status_code == 409
    assert refused.json["errors"] == {"budget": 0, "committed": 0, "plan_cost": 1_000_000}
    assert t.ok("GET", "/enrolments", plan_id=plan["plan_id"]) == []


@pytest.mark.postgres
def test_catalogue_plan_adoption_and_ledger_on_postgres(
    make_service, postgres_url, keys, employee_events
):
    from chassis.migrations import pending_changes

    t = Training(make_service("training", postgres_url), keys, employee_events)
    assert pending_changes(t.service.engine, t.service.spec.metadata) == []
    nips = [t.appoint(k) for k in (1, 2)]
    for nip in nips:
        t.needs_from_appraisal(nip)
    provider = t.provider()
    course = t.course(provider, cost_per_participant=1_000_000)
    t.ok(
        "POST",
        "/partnerships",
        {
            "provider_id": provider,
            "mou_number": "MoU/9",
            "valid_from": "2025-01-01",
            "valid_until": "2025-12-31",
            "free_seats_per_year": 1,
            "course_ids": [course],
        },
        201,
    )
    session = t.session(course, *MAR, capacity=5)
    plan = t.ok("POST", "/plans", {"year": 2025, "budget": 1_000_000}, 201)
    assert (plan["summary"]["covered"], plan["cost"], plan["summary"]["free_seats_used"]) == (
        2,
        1_000_000,
        1,
    )
    assert t.ok("POST", f"/plans/{plan['plan_id']}/adopt")["enrolments"] == 2
    rows = t.ok("GET", "/enrolments", session_id=session["session_id"])
    assert sorted(r["cost"] for r in rows) == [0, 1_000_000]
    for row in rows:
        t.complete(row["enrolment_id"])
    units = t.ok("GET", "/ledger/2025/units", as_of="2025-12-01")
    assert units == [
        {"unit": "BKD", "employees": 2, "compliant": 2, "rate": 1.0, "at_risk": 0, "jp_total": 48.0}
    ]
    assert [e["data"]["jp_year_total"] for e in t.completions()] == [24.0, 24.0]


def test_a_plan_solved_as_a_job_answers_202_and_its_result_is_the_stored_plan(t):
    nips = [t.appoint(k) for k in (1, 2)]
    for nip in nips:
        t.needs_from_appraisal(nip)
    provider = t.provider()
    t.session(t.course(provider, cost_per_participant=1_000_000), *MAR, capacity=2)
    body = {"year": 2025, "budget": 1_000_000}

    started = t.call("POST", "/plans", body, **{"async": "true"})

    assert started.status_code == 202, started.json
    job = started.json
    assert (job["state"], job["kind"], started.headers["Location"]) == (
        "QUEUED",
        "training.plan",
        job["url"],
    )
    assert t.ok("GET", "/plans") == []  # nothing solved until the worker runs it
    assert t.call("GET", job["url"], headers=t.employee(nips[0])).status_code == 403
    runner = JobRunner(t.service.engine, JOBS, t.service.spec.outbox, lease_seconds=30)
    assert runner.run_once() is True
    done = t.ok("GET", job["url"])
    assert (done["state"], done["progress"]) == ("SUCCEEDED", {"done": 100, "total": 100})
    stored = t.ok("GET", "/plans")
    assert len(stored) == 1 and done["result"]["plan_id"] == stored[0]["plan_id"]
    assert (stored[0]["cost"], stored[0]["summary"]["covered_by_kind"]["COMPETENCY"]) == (
        1_000_000,
        1,
    )
