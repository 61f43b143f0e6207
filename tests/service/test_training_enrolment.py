"""Catalogue, partners, enrolment and completion through the training service's HTTP API."""

from __future__ import annotations

from datetime import date

import pytest

from tests.service.training_courses_support import Training
from tests.service.training_support import APPRAISER

MAR = (date(2025, 3, 3), date(2025, 3, 7))


@pytest.fixture
def t(make_service, keys, employee_events) -> Training:
    return Training(make_service("training"), keys, employee_events)


def test_a_course_with_a_negative_cost_is_refused_naming_the_field(t):
    provider = t.provider()
    body = {
        "title": "Pelatihan Kerja sama",
        "competency_type": "MANAJERIAL",
        "competency": "Kerja sama",
        "mode": "CLASSICAL",
        "jp": 24,
        "cost_per_participant": -1,
        "provider_id": provider,
    }
    response = t.call("POST", "/courses", body)
    assert response.status_code == 422
    assert "cost_per_participant" in response.json["errors"]["json"]
    unknown = t.call("POST", "/courses", {**body, "cost_per_participant": 1, "provider_id": "X"})
    assert unknown.status_code == 422
    assert "provider_id" in unknown.json["errors"]["json"]
    assert t.service.count("courses") == 0


def test_a_session_of_an_unknown_course_is_refused_and_nothing_stored(t):
    response = t.call(
        "POST",
        "/sessions",
        {
            "course_id": "CRS-NOPE",
            "starts_on": "2025-03-03",
            "ends_on": "2025-03-07",
            "place": "Sofifi",
            "capacity": 10,
        },
    )
    assert response.status_code == 422
    assert "course_id" in response.json["errors"]["json"]
    course = t.course(t.provider())
    backwards = t.call(
        "POST",
        "/sessions",
        {
            "course_id": course,
            "starts_on": "2025-03-07",
            "ends_on": "2025-03-03",
            "place": "Sofifi",
            "capacity": 10,
        },
    )
    assert backwards.status_code == 422
    assert "ends_on" in backwards.json["errors"]["json"]
    negative = t.call(
        "POST",
        "/sessions",
        {
            "course_id": course,
            "starts_on": "2025-03-03",
            "ends_on": "2025-03-07",
            "place": "Sofifi",
            "capacity": 10,
            "price": -5,
        },
    )
    assert negative.status_code == 422
    assert "price" in negative.json["errors"]["json"]
    ancient = t.call(
        "POST",
        "/sessions",
        {
            "course_id": course,
            "starts_on": "0001-01-01",
            "ends_on": "2025-03-07",
            "place": "Sofifi",
            "capacity": 10,
        },
    )
    assert ancient.status_code == 422
    assert "starts_on" in ancient.json["errors"]["json"]
    assert t.service.count("sessions") == 0
    assert t.call("GET", "/courses/CRS-NOPE").status_code == 404


def test_over_capacity_is_refused_then_waitlisted_and_a_cancellation_promotes(t):
    nips = [t.appoint(k) for k in (1, 2, 3, 4)]
    session = t.session(t.course(t.provider()), *MAR, capacity=2)
    sid = session["session_id"]
    first = t.nominate(sid, nips[0])
    t.nominate(sid, nips[1])
    full = t.nominate(sid, nips[2], status=409)
    assert "full" in full["message"]
    assert t.service.count("enrolments") == 2
    waiting = t.nominate(sid, nips[2], waitlist=True)
    later = t.nominate(sid, nips[3], waitlist=True)
    assert (waiting["status"], later["status"]) == ("WAITLISTED", "WAITLISTED")
    seen = t.ok("GET", f"/sessions/{sid}")
    assert (seen["enrolled"], seen["waitlisted"]) == (2, 2)

    result = t.ok("POST", f"/enrolments/{first['enrolment_id']}/cancel", {"reason": "sakit"})
    assert result["cancelled"]["status"] == "CANCELLED"
    assert result["promoted"]["enrolment_id"] == waiting["enrolment_id"]
    assert result["promoted"]["status"] == "ENROLLED"
    assert t.ok("GET", f"/enrolments/{later['enrolment_id']}")["status"] == "WAITLISTED"
    again = t.call("POST", f"/enrolments/{first['enrolment_id']}/cancel", {"reason": "x"})
    assert again.status_code == 409


def test_overlapping_dates_are_refused_and_nothing_stored(t):
    nip = t.appoint(1)
    provider = t.provider()
    one = t.session(t.course(provider), *MAR)
    other = t.session(
        t.course(provider, competency="Pelayanan publik"), date(2025, 3, 7), date(2025, 3, 9)
    )
    after = t.session(
        t.course(provider, competency="Perekat bangsa"), date(2025, 3, 8), date(2025, 3, 9)
    )
    booked = t.nominate(one["session_id"], nip)
    clash = t.nominate(other["session_id"], nip, status=409)
    assert clash["errors"] == {"overlapping_enrolments": [booked["enrolment_id"]]}
    assert t.service.count("enrolments") == 1
    t.nominate(after["session_id"], nip)  # the next day is free
    twice = t.nominate(one["session_id"], nip, status=409)
    assert "overlapping" in twice["message"]


def test_a_supervisor_nominates_from_their_appraisees_open_needs_only(t):
    nip = t.appoint(1)
    need = t.needs_from_appraisal(nip)[0]
    session = t.session(t.course(t.provider()), *MAR)["session_id"]
    other = t.supervisor(t.employee_events.nip(9, birth=date(1970, 1, 1)))
    response = t.call(
        "POST",
        "/enrolments",
        {"session_id": session, "nip": nip, "need_id": need["need_id"]},
        headers=other,
    )
    assert response.status_code == 403
    without_need = t.call(
        "POST", "/enrolments", {"session_id": session, "nip": nip}, headers=t.supervisor()
    )
    assert without_need.status_code == 422
    assert "need_id" in without_need.json["errors"]["json"]
    made = t.ok(
        "POST",
        "/enrolments",
        {"session_id": session, "nip": nip, "need_id": need["need_id"]},
        201,
        headers=t.supervisor(),
    )
    assert made["status"] == "ENROLLED"
    assert made["supervisor_nip"] == APPRAISER
    assert t.ok("GET", f"/needs/{need['need_id']}")["status"] == "PLANNED"


def test_a_need_of_another_competency_is_refused(t):
    nip = t.appoint(1)
    need = t.needs_from_appraisal(nip)[0]  # Kerja sama
    course = t.course(t.provider(), competency="Pelayanan publik")
    session = t.session(course, *MAR)["session_id"]
    response = t.call(
        "POST", "/enrolments", {"session_id": session, "nip": nip, "need_id": need["need_id"]}
    )
    assert response.status_code == 422
    assert "need_id" in response.json["errors"]["json"]
    assert t.service.count("enrolments") == 0


def test_an_employee_requests_and_their_supervisor_approves(t):
    nip = t.appoint(1)
    need = t.needs_from_appraisal(nip)[0]
    session = t.session(t.course(t.provider()), *MAR, capacity=1)["session_id"]
    asked = t.ok(
        "POST",
        "/enrolments/requests",
        {"session_id": session, "need_id": need["need_id"]},
        201,
        headers=t.employee(nip),
    )
    assert (asked["status"], asked["origin"], asked["nip"]) == ("REQUESTED", "REQUESTED", nip)
    stranger = t.supervisor(t.employee_events.nip(9, birth=date(1970, 1, 1)))
    path = f"/enrolments/{asked['enrolment_id']}/decision"
    assert t.call("POST", path, {"approve": True}, headers=stranger).status_code == 403
    approved = t.ok("POST", path, {"approve": True}, headers=t.supervisor())
    assert approved["status"] == "ENROLLED"
    assert t.call("POST", path, {"approve": True}).status_code == 409
    mine = t.ok("GET", "/enrolments", headers=t.employee(nip))
    assert [e["enrolment_id"] for e in mine] == [asked["enrolment_id"]]


def test_a_pass_enters_the_ledger_closes_the_needs_and_publishes_v2(t):
    nip = t.appoint(1)
    needs = t.needs_from_appraisal(nip, below=("kolaboratif",))
    course = t.course(t.provider())
    session = t.session(course, *MAR)["session_id"]
    booked = t.nominate(session, nip, need_id=needs[0]["need_id"])
    no_cert = t.call(
        "POST",
        f"/enrolments/{booked['enrolment_id']}/completion",
        {"attended": True, "passed": True},
    )
    assert no_cert.status_code == 422
    assert "certificate_number" in no_cert.json["errors"]["json"]
    done = t.complete(booked["enrolment_id"])
    assert (done["status"], done["completed_on"]) == ("COMPLETED", "2025-03-07")
    assert t.ok("GET", f"/needs/{needs[0]['need_id']}")["status"] == "DONE"
    [event] = t.completions()
    assert event["version"] == 2
    assert event["data"] == {
        "enrolment_id": booked["enrolment_id"],
        "nip": nip,
        "course_id": course,
        "course_title": "Pelatihan Kerja sama",
        "competency_type": "MANAJERIAL",
        "competency": "Kerja sama",
        "jp": 24.0,
        "completed_on": "2025-03-07",
        "year": 2025,
        "jp_year_total": 24.0,
        "source": "COURSE",
        "latsar": False,
    }
    year = t.ok("GET", f"/ledger/2025/{nip}", headers=t.employee(nip))
    assert (year["total"], year["compliant"]) == (24.0, True)
    assert (
        t.call(
            "POST",
            f"/enrolments/{booked['enrolment_id']}/completion",
            {"attended": True, "passed": True, "certificate_number": "X"},
        ).status_code
        == 409
    )


def test_a_fail_counts_nothing_and_reopens_the_need(t):
    nip = t.appoint(1)
    need = t.needs_from_appraisal(nip)[0]
    session = t.session(t.course(t.provider()), *MAR)["session_id"]
    booked = t.nominate(session, nip, need_id=need["need_id"])
    failed = t.complete(
        booked["enrolment_id"], attended=True, passed=False, certificate_number=None
    )
    assert failed["status"] == "FAILED"
    assert t.completions() == []
    assert t.ok("GET", f"/needs/{need['need_id']}")["status"] == "OPEN"
    assert t.ok("GET", f"/ledger/2025/{nip}")["total"] == 0


def test_partner_free_seats_then_the_discounted_price(t):
    nips = [t.appoint(k) for k in (1, 2, 3)]
    provider = t.provider("Universitas Khairun", "UNIVERSITY")
    course = t.course(provider, cost_per_participant=1_000_000)
    mou = t.ok(
        "POST",
        "/partnerships",
        {
            "provider_id": provider,
            "mou_number": "MoU/01/2025",
            "valid_from": "2025-01-01",
            "valid_until": "2025-12-31",
            "free_seats_per_year": 2,
            "discount_percent": 25,
            "course_ids": [course],
        },
        201,
    )
    session = t.session(course, *MAR, capacity=5)
    assert (session["partner_price"], session["partnership_id"]) == (750_000, mou["partnership_id"])
    costs = [
        (e["cost"], e["free_seat"])
        for e in (t.nominate(session["session_id"], nip) for nip in nips)
    ]
    assert costs == [(0, True), (0, True), (750_000, False)]
    bad = t.call(
        "POST",
        "/partnerships",
        {
            **{k: mou[k] for k in ("provider_id", "mou_number")},
            "valid_from": "2025-01-01",
            "valid_until": "2024-12-31",
            "free_seats_per_year": 1,
            "course_ids": [course],
        },
    )
    assert bad.status_code == 422 and "valid_until" in bad.json["errors"]["json"]
    unknown = t.call(
        "POST",
        "/partnerships",
        {
            "provider_id": provider,
            "mou_number": "x",
            "valid_from": "2025-01-01",
            "valid_until": "2025-12-31",
            "free_seats_per_year": 1,
            "course_ids": ["CRS-NOPE"],
        },
    )
    assert unknown.status_code == 422 and "course_ids" in unknown.json["errors"]["json"]
    assert t.service.count("partnerships") == 1


@pytest.mark.postgres
def test_concurrent_bookings_on_postgres_never_overbook_nor_double_book(
    make_service, postgres_url, keys, employee_events
):
    from concurrent.futures import ThreadPoolExecutor

    t = Training(make_service("training", postgres_url), keys, employee_events)
    nips = [t.appoint(k) for k in (1, 2, 3, 4)]
    provider = t.provider()
    small = t.session(t.course(provider), *MAR, capacity=2)["session_id"]
    other = t.session(
        t.course(provider, competency="Pelayanan publik"), date(2025, 3, 5), date(2025, 3, 6)
    )["session_id"]

    def nominate(body):
        client = t.service.app.test_client()
        return client.post("/enrolments", json=body, headers=t.admin).status_code

    with ThreadPoolExecutor(4) as pool:
        seats = list(pool.map(nominate, [{"session_id": small, "nip": n} for n in nips]))
    assert sorted(seats) == [201, 201, 409, 409]
    assert t.ok("GET", f"/sessions/{small}")["enrolled"] == 2
    # Two overlapping sessions with seats, each employee booked into both at once.
    wide = t.session(t.course(provider, competency="Perekat bangsa"), *MAR, capacity=10)
    for nip, seat in zip(nips, seats, strict=True):
        with ThreadPoolExecutor(2) as pool:
            bodies = [{"session_id": s, "nip": nip} for s in (wide["session_id"], other)]
            codes = sorted(pool.map(nominate, bodies))
        # Holding the small session (3-7 March) clashes with both; otherwise exactly one wins.
        assert codes == ([409, 409] if seat == 201 else [201, 409]), (nip, codes)
        held = [e for e in t.ok("GET", "/enrolments", nip=nip) if e["status"] == "ENROLLED"]
        assert len(held) == 1
