"""Disciplinary sanctions (PP 94/2021), unpaid leave (CLTN) and status corrections."""

from __future__ import annotations

import pytest

from contracts import validate_event
from services.recruitment.roster import today_in_province
from tests.service.roster_support import stored_state


@pytest.fixture
def admin(keys):
    return keys.headers("admin")


@pytest.fixture
def nip(recruitment, admin, employee_events):
    body = {**employee_events.record(), "appointed_on": "2015-03-01"}
    assert recruitment.client.post("/employees", json=body, headers=admin).status_code == 201
    return body["nip"]


SANCTION = {
    "sanction_id": "800/HD-2025/0042",
    "level": "SEDANG",
    "kind": "Pemotongan tunjangan kinerja 25% selama 6 bulan",
    "decided_on": "2025-06-10",
    "effective_from": "2025-07-01",
    "effective_until": "2025-12-31",
}


def sanction(service, headers, nip, **changes):
    return service.client.post(
        f"/employees/{nip}/sanctions", json={**SANCTION, **changes}, headers=headers
    )


def test_a_sanction_is_stored_and_published(recruitment, admin, nip):
    response = sanction(recruitment, admin, nip)

    assert response.status_code == 201, response.json
    assert {k: response.json[k] for k in SANCTION} == SANCTION
    assert response.json["nip"] == nip
    [row] = recruitment.rows("sanctions")
    assert row["sanction_id"] == SANCTION["sanction_id"] and row["level"] == "SEDANG"
    event = recruitment.outbox_events()[-1]
    validate_event(event)
    assert event["type"] == "recruitment.employee.sanctioned"
    assert event["data"] == {**SANCTION, "nip": nip, "regulation": "PP 94/2021"}


def test_sanctions_are_listed_oldest_first(recruitment, admin, keys, nip):
    sanction(recruitment, admin, nip)
    sanction(
        recruitment,
        admin,
        nip,
        sanction_id="800/HD-2024/0007",
        level="RINGAN",
        kind="Teguran tertulis",
        decided_on="2024-02-01",
        effective_from="2024-02-01",
        effective_until=None,
    )

    response = recruitment.client.get(f"/employees/{nip}/sanctions", headers=admin)

    assert response.status_code == 200
    assert [s["sanction_id"] for s in response.json] == ["800/HD-2024/0007", "800/HD-2025/0042"]
    assert response.json[0]["effective_until"] is None
    forbidden = recruitment.client.get(
        f"/employees/{nip}/sanctions", headers=keys.headers("recruiter")
    )
    assert forbidden.status_code == 403


def test_a_duplicate_sk_number_is_a_conflict(recruitment, admin, nip, employee_events):
    sanction(recruitment, admin, nip)
    before = recruitment.rows("sanctions"), recruitment.outbox_events()
    response = sanction(recruitment, admin, nip, level="BERAT")
    assert response.status_code == 409
    assert SANCTION["sanction_id"] in response.json["message"]
    assert (recruitment.rows("sanctions"), recruitment.outbox_events()) == before


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"effective_until": "2025-06-30"}, "effective_until", "before it takes effect"),
        ({"effective_from": "2025-06-01"}, "effective_from", "before it is decided"),
        ({"decided_on": "2999-01-01", "effective_from": "2999-01-01"}, "decided_on", "future"),
        ({"level": "BERAT SEKALI"}, "level", "Must be one of"),
        ({"kind": " "}, "kind", "blank"),
        ({"sanction_id": "X" * 65}, "sanction_id", "Longer than maximum"),
        ({"decided_on": "10-06-2025"}, "decided_on", "Not a valid date"),
    ],
)
def test_an_invalid_sanction_is_refused(recruitment, admin, nip, change, field, reason):
    before = stored_state(recruitment)
    response = sanction(recruitment, admin, nip, **change)
    assert response.status_code == 422, response.json
    assert any(reason in text for text in response.json["errors"]["json"][field])
    assert recruitment.count("sanctions") == 0
    assert stored_state(recruitment) == before


def test_sanctions_of_unknown_employees_and_by_non_admins(recruitment, admin, keys, nip):
    unknown = "198001012005011002"
    assert sanction(recruitment, admin, unknown).status_code == 404
    assert (
        recruitment.client.get(f"/employees/{unknown}/sanctions", headers=admin).status_code == 404
    )
    assert sanction(recruitment, admin, "123").status_code == 422
    assert sanction(recruitment, keys.headers("recruiter"), nip).status_code == 403
    assert recruitment.count("sanctions") == 0


# -- unpaid leave ------------------------------------------------------------------------------


def leave(service, headers, nip, **body):
    return service.client.post(f"/employees/{nip}/unpaid-leave", json=body, headers=headers)


def test_unpaid_leave_is_stored_and_published_with_the_whole_list(recruitment, admin, nip):
    first = leave(recruitment, admin, nip, start="2019-01-01", end="2019-12-31", reason="SK 1")
    second = leave(recruitment, admin, nip, start="2022-03-01")

    assert first.status_code == second.status_code == 201, second.json
    assert second.json["end"] is None
    events = recruitment.outbox_events()
    for event in events[1:]:
        validate_event(event)
        assert event["type"] == "recruitment.employee.updated"
        assert event["data"]["changed"] == ["unpaid_leave"]
    assert events[1]["data"]["unpaid_leave"] == [{"start": "2019-01-01", "end": "2019-12-31"}]
    assert events[1]["data"]["reason"] == "SK 1"
    assert events[2]["data"]["unpaid_leave"] == [
        {"start": "2019-01-01", "end": "2019-12-31"},
        {"start": "2022-03-01", "end": None},
    ]
    listed = recruitment.client.get(f"/employees/{nip}/unpaid-leave", headers=admin).json
    assert [(p["start"], p["end"]) for p in listed] == [
        ("2019-01-01", "2019-12-31"),
        ("2022-03-01", None),
    ]
    # Later updates carry the list too.
    recruitment.client.patch(f"/employees/{nip}", json={"unit": "BPKAD"}, headers=admin)
    assert len(recruitment.outbox_events()[-1]["data"]["unpaid_leave"]) == 2


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"start": "2019-06-01", "end": "2020-01-31"}, "start", "Overlaps"),
        ({"start": "2018-01-01", "end": "2019-01-01"}, "start", "Overlaps"),
        ({"start": "2018-01-01"}, "start", "Overlaps"),
        ({"start": "2019-12-31", "end": "2019-12-31"}, "start", "Overlaps"),
        ({"start": "2021-01-01", "end": "2020-12-31"}, "end", "before it starts"),
        ({"start": "2014-01-01", "end": "2014-02-01"}, "start", "before TMT CPNS"),
        ({"end": "2020-12-31"}, "start", "Missing data"),
    ],
)
def test_an_invalid_period_is_refused(recruitment, admin, nip, body, field, reason):
    leave(recruitment, admin, nip, start="2019-01-01", end="2019-12-31")
    before = stored_state(recruitment), recruitment.rows("unpaid_leave")
    response = leave(recruitment, admin, nip, **body)
    assert response.status_code == 422, response.json
    assert any(reason in text for text in response.json["errors"]["json"][field])
    assert (stored_state(recruitment), recruitment.rows("unpaid_leave")) == before


def test_an_open_period_blocks_later_ones(recruitment, admin, nip):
    assert leave(recruitment, admin, nip, start="2022-03-01").status_code == 201
    response = leave(recruitment, admin, nip, start="2030-01-01", end="2030-02-01")
    assert response.status_code == 422
    assert "open-ended" in response.json["errors"]["json"]["start"][0]


def test_unpaid_leave_needs_an_admin_and_a_known_employee(recruitment, admin, keys, nip):
    assert leave(recruitment, keys.headers("recruiter"), nip, start="2019-01-01").status_code == 403
    assert leave(recruitment, admin, "198001012005011002", start="2019-01-01").status_code == 404
    assert recruitment.count("unpaid_leave") == 0


# -- status correction -------------------------------------------------------------------------


def patch(service, headers, nip, **body):
    return service.client.patch(f"/employees/{nip}", json=body, headers=headers)


def test_a_wrongly_entered_status_is_corrected_with_a_reason(recruitment, admin, nip):
    assert patch(recruitment, admin, nip, status="CPNS").status_code == 422  # the usual rule

    response = patch(
        recruitment, admin, nip, status="PPPK", correction=True, reason="Entry error, SK 12/2015"
    )

    assert response.status_code == 200, response.json
    assert response.json["status"] == "PPPK"
    event = recruitment.outbox_events()[-1]
    validate_event(event)
    assert event["data"]["changed"] == ["status"]
    assert event["data"]["status"] == "PPPK"
    assert event["data"]["reason"] == "Correction: Entry error, SK 12/2015"


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"status": "CPNS", "correction": True}, "reason", "needs a reason"),
        ({"unit": "BKD", "correction": True, "reason": "x"}, "status", "give it"),
        ({"status": "CPNS", "correction": True, "reason": "x" * 489}, "reason", "at most 488"),
    ],
)
def test_a_correction_must_say_why(recruitment, admin, nip, body, field, reason):
    before = stored_state(recruitment)
    response = patch(recruitment, admin, nip, **body)
    assert response.status_code == 422, response.json
    assert any(reason in text for text in response.json["errors"]["json"][field])
    assert stored_state(recruitment) == before


def test_a_correction_cannot_make_a_pns_of_someone_on_probation(
    recruitment, admin, employee_events
):
    month = today_in_province().replace(day=1)
    recent = employee_events.nip(2, tmt=(month.year, month.month))
    body = {**employee_events.record(recent, status="PPPK"), "appointed_on": str(month)}
    assert recruitment.client.post("/employees", json=body, headers=admin).status_code == 201

    response = patch(recruitment, admin, recent, status="PNS", correction=True, reason="x")

    assert response.status_code == 422
    assert "probation" in response.json["errors"]["json"]["status"][0]
    ok = patch(recruitment, admin, recent, status="CPNS", correction=True, reason="Entry error")
    assert ok.status_code == 200
