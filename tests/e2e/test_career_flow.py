"""Issue 16 end to end through the gateway: two years of finalized appraisals and an assessment
import make the talent map; a critical position gets its pool and successor; an IDP's course
action closes when the course is passed. Bad input: a CSV with errors imports nothing and names
its rows; an employee cannot read another's box."""

from __future__ import annotations

import json

import pytest

from services.training.talent import COLUMNS

from .conftest import Platform, wait_until
from .test_appraisal_flow import person
from .test_training_flow import TrainingFlow

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]

UNIT = "DISKOMINFO"


def upload(flow: TrainingFlow, token: str, text: str):
    response = flow.platform.http.request(
        "POST",
        f"{flow.base}/training/talent/assessments/import",
        body=text.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    return response.status, json.loads(response.data)


def test_two_years_assessment_map_pool_successor_and_idp(platform: Platform):
    flow = TrainingFlow(platform)
    admin = flow.user("bkd-career-e2e", "admin")
    head = person(61, "SETDA", None)
    sup = person(62, "SETDA", head["nip"], "F")
    star, steady, weak = (person(70 + i, UNIT, sup["nip"]) for i in range(3))
    for record in (head, sup, star, steady, weak):
        status, body, _ = flow.call("POST", "/recruitment/employees", admin, record)
        assert status == 201, body
    wait_until(
        lambda: flow.call("GET", f"/appraisal/employees/{weak['nip']}", admin)[0] == 200,
        timeout=20,
        message="the roster in appraisal",
    )
    kabid = flow.user("kabid-career", "supervisor", "employee", nip=sup["nip"])
    sekda = flow.user("sekda-career", "supervisor", "employee", nip=head["nip"])

    for year in (2024, 2025):
        status, body, _ = flow.call(
            "POST", "/appraisal/periods", admin, {"year": year, "kind": "ANNUAL"}
        )
        assert status == 201, body
        status, body, _ = flow.call(
            "PUT", f"/appraisal/units/{UNIT}/{year}/rating", admin, {"rating": "BAIK"}
        )
        assert status == 200, body
        for employee in (star, steady, weak):
            flow.agreed_skp_of(employee["nip"], year, kabid)
        flow.rate_in(year, star["nip"], kabid, "SANGAT_BAIK")
        flow.rate_in(year, steady["nip"], kabid, "BAIK")
        flow.rate_in(year, weak["nip"], kabid, "KURANG")
        status, body, _ = flow.call("POST", f"/appraisal/units/{UNIT}/{year}/finalize", admin)
        assert status == 200, body

    # Bad input first: nothing is imported, every bad row is named.
    header = ",".join(COLUMNS)
    wait_until(
        lambda: flow.call("GET", f"/training/employees/{weak['nip']}", admin)[0] == 200,
        timeout=20,
        message="the roster in training",
    )
    bad = (
        f"{header}\n{star['nip']},2024-11-01,4,4,92,S2,12,GOOD\n"
        f"{weak['nip']},2024-11-01,9,4,70,S1,5,GOOD\n"
        f"{steady['nip']},soon,3,3,80,S1,5,GOOD\n"
    )
    status, body = upload(flow, admin, bad)
    assert status == 422, body
    assert set(body["errors"]["csv"]["rows"]) == {"3", "4"}
    assert "managerial" in body["errors"]["csv"]["rows"]["3"]
    assert flow.call("GET", f"/training/talent/assessments/{star['nip']}", admin)[0] == 404

    good = (
        f"{header}\n{star['nip']},2024-11-01,4,4,92,S2,12,GOOD\n"
        f"{steady['nip']},2024-11-01,3,3,80,S1,5,NEUTRAL\n"
        f"{weak['nip']},2024-11-01,3,3,70,S1,5,NEUTRAL\n"
    )
    status, body = upload(flow, admin, good)
    assert status == 201, body
    assert body["by_potential"] == {"LOW": 1, "MEDIUM": 1, "HIGH": 1}

    def mapped():
        status, body, _ = flow.call("GET", "/training/talent/map/2025/summary", admin)
        return body if status == 200 and body["province"]["employees"] == 3 else None

    summary = wait_until(mapped, 20, message="the 2025 talent map")
    unit = next(u for u in summary["units"] if u["unit"] == UNIT)
    assert {b["box"]: b["employees"] for b in unit["boxes"] if b["employees"]} == {1: 1, 5: 1, 9: 1}
    ok, star_box, _ = flow.call("GET", f"/training/talent/map/2025/{star['nip']}", kabid)
    assert ok == 200 and star_box["label"] == "Kinerja di atas ekspektasi dan potensial tinggi"
    assert (star_box["previous_box"], star_box["movement"]) == (9, "SAME")
    assert flow.call("GET", f"/training/talent/map/2025/{weak['nip']}", sekda)[0] == 200
    peek = flow.call(
        "GET", f"/training/talent/map/2025/{weak['nip']}", flow.staff_token(star["nip"])
    )
    assert peek[0] == 403
    assert flow.call("GET", f"/training/talent/map/2025?unit={UNIT}", kabid)[0] == 403

    # A critical position, its pool and its successor.
    position = flow.ok(
        "POST", "/critical-positions", admin, {"title": "Kepala Dinas Kominfo", "unit": UNIT}, 201
    )
    base = f"/critical-positions/{position['position_id']}"
    flow.ok(
        "POST",
        f"{base}/candidates",
        admin,
        {"nip": star["nip"], "year": 2025, "readiness": "NOW"},
        201,
    )
    refused = flow.call(
        "POST",
        f"/training{base}/candidates",
        admin,
        {"nip": steady["nip"], "year": 2025, "readiness": "LATER"},
    )
    assert refused[0] == 409
    chosen = flow.ok("PUT", f"{base}/successors", admin, {"nips": [star["nip"]]})
    assert [(s["nip"], s["box"], s["successor_rank"]) for s in chosen["successors"]] == [
        (star["nip"], 9, 1)
    ]

    # An IDP for the box-1 employee: a catalogue course whose completion closes its action.
    provider = flow.ok(
        "POST", "/providers", admin, {"name": "BPSDM Malut Karier", "kind": "BPSDM"}, 201
    )
    course = flow.ok(
        "POST",
        "/courses",
        admin,
        {
            "title": "Pelatihan Pengembangan Kinerja",
            "competency_type": "MANAJERIAL",
            "competency": "Pengembangan kinerja",
            "mode": "CLASSICAL",
            "jp": 24,
            "cost_per_participant": 1_000_000,
            "provider_id": provider["provider_id"],
        },
        201,
    )
    plan = flow.ok("POST", "/development-plans", admin, {"nip": weak["nip"], "year": 2025}, 201)
    path = f"/development-plans/{plan['plan_id']}"
    flow.ok(
        "POST",
        f"{path}/actions",
        admin,
        {"kind": "COURSE", "course_id": course["course_id"], "target_date": "2026-06-30"},
        201,
    )
    session = flow.ok(
        "POST",
        "/sessions",
        admin,
        {
            "course_id": course["course_id"],
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-04",
            "place": "Sofifi",
            "capacity": 5,
        },
        201,
    )
    enrolment = flow.ok(
        "POST", "/enrolments", admin, {"session_id": session["session_id"], "nip": weak["nip"]}, 201
    )
    flow.ok(
        "POST",
        f"/enrolments/{enrolment['enrolment_id']}/completion",
        admin,
        {"attended": True, "passed": True, "certificate_number": "SERT/IDP/1"},
    )
    closed = flow.ok("GET", path, flow.staff_token(weak["nip"]))
    assert [(a["status"], a["closed_by"]) for a in closed["actions"]] == [
        ("DONE", enrolment["enrolment_id"])
    ]
    assert closed["jp_done"] == 24
    ledger = flow.ok("GET", f"/ledger/2026/{weak['nip']}", admin)
    assert ledger["total"] == 24.0

    # Staff heard on change: a STAFF consultation through the gateway, its commenter unnamed.
    opened = flow.call(
        "POST",
        "/feedback/consultations",
        admin,
        {
            "unit": UNIT,
            "title": "Rancangan pola karier",
            "draft": "Talent pool dan suksesi jabatan kritis.",
            "closes_on": "2099-12-31",
            "audience": "STAFF",
        },
    )
    assert opened[0] == 201, opened[1]
    path = f"/feedback/consultations/{opened[1]['id']}"
    posted = flow.call(
        "POST", f"{path}/comments", flow.staff_token(weak["nip"]), {"body": "Setuju.", "name": "W"}
    )
    assert posted[0] == 201, posted[1]
    assert flow.call("GET", path, {})[0] == 403
    seen = flow.call("GET", path, kabid)
    assert seen[0] == 200 and seen[1]["comments"][0]["name"] is None
