"""The CPNS -> PNS gate: recruitment waits for a Latsar completion from training (by event)."""

from __future__ import annotations

import pytest

from tests.service.training_support import course_completed


@pytest.fixture
def admin(keys):
    return keys.headers("admin")


@pytest.fixture
def cpns(recruitment, admin, employee_events):
    nip = employee_events.nip(1, tmt=(2015, 3))  # long past probation
    body = {**employee_events.record(nip, status="CPNS"), "appointed_on": "2015-03-01"}
    assert recruitment.client.post("/employees", json=body, headers=admin).status_code == 201
    return nip


def to_pns(recruitment, admin, nip, **extra):
    return recruitment.client.patch(
        f"/employees/{nip}", json={"status": "PNS", **extra}, headers=admin
    )


def test_no_pns_without_a_latsar_completion(recruitment, admin, cpns):
    before = recruitment.outbox_events()
    refused = to_pns(recruitment, admin, cpns)
    assert refused.status_code == 422
    assert "Latsar" in refused.json["errors"]["json"]["status"][0]
    assert recruitment.outbox_events() == before
    assert recruitment.rows("employees")[0]["status"] == "CPNS"


def test_other_courses_and_v1_events_do_not_open_the_gate(recruitment, admin, cpns):
    assert recruitment.deliver(
        course_completed(cpns, latsar=False, enrolment_id="ENR-2025-OTHER"),
        course_completed(cpns, version=1, enrolment_id="ENR-2025-V1"),
    ) == ["ack", "ack"]
    assert recruitment.count("latsar_completions") == 0
    assert to_pns(recruitment, admin, cpns).status_code == 422


def test_a_latsar_completion_by_event_lets_the_cpns_become_pns(recruitment, admin, cpns):
    event = course_completed(cpns)
    assert recruitment.deliver(event, event) == ["ack", "ack"]  # a redelivery is harmless
    assert [r["nip"] for r in recruitment.rows("latsar_completions")] == [cpns]
    assert recruitment.deliver(course_completed(cpns, enrolment_id="ENR-2025-AGAIN")) == ["ack"]
    [row] = recruitment.rows("latsar_completions")
    assert row["enrolment_id"] == "ENR-2025-LATSAR01"  # the first report is kept
    done = to_pns(recruitment, admin, cpns)
    assert done.status_code == 200, done.json
    assert recruitment.outbox_events()[-1]["data"]["status"] == "PNS"


def test_a_correction_with_a_reason_still_overrides(recruitment, admin, cpns):
    fixed = to_pns(recruitment, admin, cpns, correction=True, reason="Salah entri, SK 2016")
    assert fixed.status_code == 200, fixed.json
    assert fixed.json["status"] == "PNS"
