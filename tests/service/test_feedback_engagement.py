"""The yearly staff engagement survey through HTTP: staff of the unit answer once, anonymously;
results only for ten or more."""

from __future__ import annotations

import pytest

from chassis.migrations import pending_changes
from tests.service.feedback_support import OTHER_UNIT, UNIT, Clock, Feedback, wit


@pytest.fixture
def feedback(make_service, keys) -> Feedback:
    return Feedback(make_service("feedback"), keys, Clock(wit(2025, 4, 17, 10)))


def staff(keys, employee_events, n: int, unit: str = UNIT):
    nip = employee_events.nip(n)
    return keys.headers("employee", subject=f"asn-{n}", nip=nip, unit=unit)


def test_answers_once_results_from_ten(feedback, keys, employee_events):
    client = feedback.client
    opened = client.post(
        "/engagement-surveys",
        json={
            "unit": UNIT,
            "year": 2025,
            "questions": ["Saya dilibatkan", "Saya didengar"],
            "closes_on": "2025-05-31",
        },
        headers=feedback.admin,
    )
    assert opened.status_code == 201, opened.get_json()
    sid = opened.get_json()["id"]
    path = f"/engagement-surveys/{sid}"
    for n in range(1, 10):
        answered = client.post(
            f"{path}/answers", json={"scores": [4, 3]}, headers=staff(keys, employee_events, n)
        )
        assert answered.status_code == 201, answered.get_json()
    again = client.post(
        f"{path}/answers", json={"scores": [4, 3]}, headers=staff(keys, employee_events, 1)
    )
    assert again.status_code == 409
    small = client.get(f"{path}/results", headers=feedback.officer).get_json()
    assert (small["respondents"], small["withheld"], small["means"]) == (9, True, None)
    client.post(
        f"{path}/answers", json={"scores": [5, 5]}, headers=staff(keys, employee_events, 10)
    )
    shown = client.get(f"{path}/results", headers=feedback.admin).get_json()
    assert (shown["respondents"], shown["withheld"], shown["means"]) == (10, False, [4.1, 3.2])
    assert "nip" not in str(feedback.service.rows("engagement_answers"))


def test_who_answers_and_reads(feedback, keys, employee_events):
    client = feedback.client
    sid = client.post(
        "/engagement-surveys",
        json={
            "unit": UNIT,
            "year": 2025,
            "questions": ["Saya didengar"],
            "closes_on": "2025-05-31",
        },
        headers=feedback.admin,
    ).get_json()["id"]
    path = f"/engagement-surveys/{sid}"
    other = staff(keys, employee_events, 1, OTHER_UNIT)
    assert client.post(f"{path}/answers", json={"scores": [3]}, headers=other).status_code == 403
    no_nip = keys.headers("employee", subject="x", unit=UNIT)
    assert client.post(f"{path}/answers", json={"scores": [3]}, headers=no_nip).status_code == 403
    assert client.post(f"{path}/answers", json={"scores": [3]}).status_code == 401
    mine = staff(keys, employee_events, 2)
    assert client.post(f"{path}/answers", json={"scores": [6]}, headers=mine).status_code == 422
    assert client.post(f"{path}/answers", json={"scores": [3, 3]}, headers=mine).status_code == 422
    assert client.get(f"{path}/results", headers=feedback.other_officer).status_code == 403
    assert client.get(f"{path}/results", headers=mine).status_code == 403
    assert client.get("/engagement-surveys/999/results", headers=feedback.admin).status_code == 404
    dup = client.post(
        "/engagement-surveys",
        json={"unit": UNIT, "year": 2025, "questions": ["x"], "closes_on": "2025-05-31"},
        headers=feedback.admin,
    )
    assert dup.status_code == 409
    feedback.clock.set(wit(2025, 6, 1, 8))
    assert client.post(f"{path}/answers", json={"scores": [3]}, headers=mine).status_code == 409


def test_a_staff_consultation_is_for_signed_in_asn_who_stay_unnamed(
    feedback, keys, employee_events
):
    client = feedback.client
    opened = client.post(
        "/consultations",
        json={
            "unit": UNIT,
            "title": "Rancangan pola karier ASN",
            "draft": "Rotasi setiap empat tahun.",
            "closes_on": "2025-04-30",
            "audience": "STAFF",
        },
        headers=feedback.admin,
    )
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json()["audience"] == "STAFF"
    cid = opened.get_json()["id"]
    path = f"/consultations/{cid}"
    asn = staff(keys, employee_events, 3)
    posted = client.post(
        f"{path}/comments", json={"body": "Empat tahun terlalu cepat.", "name": "Budi"}, headers=asn
    )
    assert posted.status_code == 201, posted.get_json()
    citizen = client.post(f"{path}/comments", json={"body": "Saya warga."})
    assert citizen.status_code == 403
    assert client.get(path).status_code == 403
    assert (
        client.get(path, headers=keys.headers("supervisor", nip=employee_events.nip(9))).status_code
        == 403
    )
    assert cid not in [c["id"] for c in client.get("/consultations").get_json()]
    assert cid in [c["id"] for c in client.get("/consultations", headers=asn).get_json()]
    # Read by the unit's officer (a moderator): the comment carries no name and no NIP.
    seen = client.get(path, headers=feedback.officer).get_json()
    [comment] = seen["comments"]
    assert comment["name"] is None and comment["body"] == "Empat tahun terlalu cepat."
    stored = str(feedback.service.rows("consultation_comments"))
    assert "Budi" not in stored and employee_events.nip(3) not in stored
    bad = client.post(
        "/consultations",
        json={
            "unit": UNIT,
            "title": "t",
            "draft": "d",
            "closes_on": "2025-04-30",
            "audience": "ALL",
        },
        headers=feedback.admin,
    )
    assert bad.status_code == 422 and "audience" in bad.get_json()["errors"]["json"]


@pytest.mark.postgres
def test_the_survey_on_postgres(make_service, postgres_url, keys, employee_events):
    """The migration on PostgreSQL: open, answer, read."""
    feedback = Feedback(make_service("feedback", postgres_url), keys, Clock(wit(2025, 4, 17, 10)))
    assert pending_changes(feedback.service.engine, feedback.service.spec.metadata) == []
    sid = feedback.client.post(
        "/engagement-surveys",
        json={"unit": UNIT, "year": 2025, "questions": ["q"], "closes_on": "2025-05-31"},
        headers=feedback.admin,
    ).get_json()["id"]
    answered = feedback.client.post(
        f"/engagement-surveys/{sid}/answers",
        json={"scores": [4]},
        headers=staff(keys, employee_events, 1),
    )
    assert answered.status_code == 201
    result = feedback.client.get(f"/engagement-surveys/{sid}/results", headers=feedback.admin)
    assert result.get_json()["withheld"] is True
