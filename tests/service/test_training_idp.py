"""Individual development plans through HTTP: who gets one, actions, a completion closing one."""

from __future__ import annotations

from datetime import date

import pytest

from services.training import talent
from tests.service.training_courses_support import Training
from tests.service.training_support import appraisal_data, finalized

HEADER = ",".join(talent.COLUMNS)


@pytest.fixture
def t(make_service, keys, employee_events):
    return Training(make_service("training"), keys, employee_events)


def place(t: Training, nip: str, results: str, match: int) -> None:
    """A 2025 predikat and an assessment for `nip`."""
    data = appraisal_data(nip, appraisal_id=f"APR-2025-{nip[-6:]}", year=2025, results=results)
    assert t.service.deliver(finalized(data)) == ["ack"]
    csv = f"{HEADER}\n{nip},2025-02-01,3,3,{match},S1,5,NEUTRAL\n".encode()
    response = t.service.client.post(
        "/talent/assessments/import", data=csv, headers=t.admin, content_type="text/csv"
    )
    assert response.status_code == 201, response.json


def test_a_low_box_plan_whose_course_completion_closes_its_action(t):
    nip = t.appoint(1)
    place(t, nip, "DI_BAWAH", 70)  # BUTUH_PERBAIKAN, low potential: box 1
    plan = t.ok("POST", "/development-plans", {"nip": nip, "year": 2025}, 201)
    assert plan["reason"].startswith("Box 1: Kinerja di bawah ekspektasi dan potensial rendah")
    course = t.course(t.provider())
    pid = plan["plan_id"]
    body = {"kind": "COURSE", "course_id": course, "target_date": "2026-06-30"}
    plan = t.ok("POST", f"/development-plans/{pid}/actions", body, 201)
    coaching = {
        "kind": "COACHING_MENTORING",
        "title": "Mentoring oleh Kabid",
        "target_date": "2026-09-30",
    }
    plan = t.ok("POST", f"/development-plans/{pid}/actions", coaching, 201)
    assert (plan["jp_planned"], plan["jp_done"]) == (24, 0)
    course_action = next(a for a in plan["actions"] if a["kind"] == "COURSE")
    refused = t.call(
        "POST",
        f"/development-plans/{pid}/actions/{course_action['action_id']}/done",
        {"done_on": "2026-05-01"},
    )
    assert refused.status_code == 409

    session = t.session(course, date(2026, 3, 2), date(2026, 3, 4))
    enrolment = t.nominate(session["session_id"], nip)
    t.complete(enrolment["enrolment_id"])

    plan = t.ok("GET", f"/development-plans/{pid}", headers=t.employee(nip))
    closed = next(a for a in plan["actions"] if a["kind"] == "COURSE")
    assert (closed["status"], closed["closed_by"]) == ("DONE", enrolment["enrolment_id"])
    assert closed["closed_on"] == "2026-03-04"
    assert (plan["jp_planned"], plan["jp_done"]) == (24, 24)
    ledger = t.ok("GET", f"/ledger/2026/{nip}")
    assert ledger["total"] == 24  # counted once, by the completion's ledger line
    assert len(t.completions()) == 1

    other = next(a for a in plan["actions"] if a["kind"] != "COURSE")
    done = t.ok(
        "POST",
        f"/development-plans/{pid}/actions/{other['action_id']}/done",
        {"done_on": "2026-10-01"},
    )
    assert all(a["status"] == "DONE" for a in done["actions"])


def test_who_gets_and_reads_a_plan(t):
    low, middle, colleague = t.appoint(1), t.appoint(2), t.appoint(3)
    place(t, low, "DI_BAWAH", 70)
    place(t, middle, "SESUAI", 80)  # box 5
    refused = t.call("POST", "/development-plans", {"nip": middle, "year": 2025})
    assert refused.status_code == 409 and refused.json["errors"]["box"] == 5
    pid = t.ok("POST", "/development-plans", {"nip": low, "year": 2025}, 201)["plan_id"]
    assert t.call("POST", "/development-plans", {"nip": low, "year": 2025}).status_code == 409
    path = f"/development-plans/{pid}"
    assert t.call("GET", path, headers=t.employee(low)).status_code == 200
    assert t.call("GET", path, headers=t.employee(colleague)).status_code == 403
    assert t.call("GET", path, headers=t.supervisor(colleague)).status_code == 403
    assert (
        t.call(
            "POST", "/development-plans", {"nip": low, "year": 2025}, headers=t.employee(low)
        ).status_code
        == 403
    )
    bad = t.call(
        "POST", f"/development-plans/{pid}/actions", {"kind": "COURSE", "target_date": "x"}
    )
    assert bad.status_code == 422
    no_course = t.call(
        "POST", f"/development-plans/{pid}/actions", {"kind": "COURSE", "target_date": "2026-01-01"}
    )
    assert no_course.status_code == 422 and "course_id" in no_course.json["errors"]["json"]
    unknown = t.call(
        "POST",
        f"/development-plans/{pid}/actions",
        {"kind": "COURSE", "course_id": "CRS-NONE", "target_date": "2026-01-01"},
    )
    assert unknown.status_code == 422
    assert t.call("GET", "/development-plans/IDP-NONE").status_code == 404
