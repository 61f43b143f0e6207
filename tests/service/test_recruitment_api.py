"""The recruitment service's roster API: who may do what, the checks, and the events it writes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chassis.migrations import pending_changes
from contracts import validate_event
from services.recruitment.app import SPEC
from services.recruitment.models import Employee
from services.recruitment.roster import today_in_province
from tests.service.training_support import course_completed

REQUEST_ID = "req-roster-0001"


@pytest.fixture
def admin(keys):
    return keys.headers("admin")


def new_employee(employee_events, sequence=1, **overrides):
    """The body of a POST /employees for a valid new employee."""
    record = employee_events.record(employee_events.nip(sequence), **overrides)
    record.setdefault("appointed_on", "2015-03-01")
    return record


def appoint(service, admin, body, **headers):
    return service.client.post("/employees", json=body, headers={**admin, **headers})


def test_appointing_writes_the_employee_and_a_contract_valid_event(
    recruitment, admin, employee_events
):
    body = new_employee(employee_events)

    response = appoint(recruitment, admin, body, **{"X-Request-ID": REQUEST_ID})

    assert response.status_code == 201, response.json
    assert response.headers["X-Request-ID"] == REQUEST_ID
    stored = response.json
    assert {k: stored[k] for k in body} == body
    assert stored["created_at"] == stored["updated_at"]
    [event] = recruitment.outbox_events()
    validate_event(event)
    assert event["type"] == "recruitment.employee.appointed"
    assert event["source"] == "recruitment"
    assert event["correlation_id"] == REQUEST_ID
    assert event["data"] == {**body, "source": "manual", "unpaid_leave": []}


def test_appointment_date_defaults_to_today_in_the_province(recruitment, admin, employee_events):
    body = new_employee(employee_events)
    del body["appointed_on"]

    response = appoint(recruitment, admin, body)

    assert response.status_code == 201, response.json
    assert response.json["appointed_on"] == today_in_province().isoformat()
    assert recruitment.outbox_events()[0]["data"]["appointed_on"] == response.json["appointed_on"]


def test_appointing_needs_a_token(recruitment, employee_events):
    response = recruitment.client.post("/employees", json=new_employee(employee_events))
    assert response.status_code == 401
    assert recruitment.count("employees") == recruitment.count("outbox") == 0


@pytest.mark.parametrize("role", ["recruiter", "supervisor", "employee"])
def test_only_admins_appoint(recruitment, keys, employee_events, role):
    response = appoint(recruitment, keys.headers(role), new_employee(employee_events))
    assert response.status_code == 403
    assert recruitment.count("employees") == recruitment.count("outbox") == 0


def test_an_existing_nip_is_a_conflict_and_changes_nothing(recruitment, admin, employee_events):
    body = new_employee(employee_events)
    assert appoint(recruitment, admin, body).status_code == 201
    before = recruitment.rows("employees"), recruitment.outbox_events()

    response = appoint(recruitment, admin, {**body, "name": "Someone Else", "unit": "DINKES"})

    assert response.status_code == 409
    assert body["nip"] in response.json["message"]
    assert (recruitment.rows("employees"), recruitment.outbox_events()) == before


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"nip": "19900115201503100"}, "nip", "18 digits"),
        ({"nip": "199013152015031001"}, "nip", "birth date"),
        ({"birth_date": "1990-01-16"}, "birth_date", "1990-01-15"),
        ({"gender": "F"}, "gender", "is M"),
        ({"tmt_cpns": "2015-04-01"}, "tmt_cpns", "2015-03"),
        ({"gender": "X"}, "gender", "Must be one of"),
        ({"status": "HONORER"}, "status", "Must be one of"),
        ({"name": "   "}, "name", "blank"),
        ({"unit": "U" * 65}, "unit", "Longer than maximum"),
        ({"birth_date": "15-01-1990"}, "birth_date", "Not a valid date"),
        ({"supervisor_nip": "123"}, "supervisor_nip", "18 digits"),
        ({"nik": "8271015501900001"}, "nik", "Unknown field"),
    ],
)
def test_invalid_input_is_refused_naming_the_field_and_changes_nothing(
    recruitment, admin, employee_events, change, field, reason
):
    response = appoint(recruitment, admin, {**new_employee(employee_events), **change})

    assert response.status_code == 422, response.json
    reasons = response.json["errors"]["json"][field]
    assert any(reason in text for text in reasons), reasons
    assert recruitment.count("employees") == recruitment.count("outbox") == 0


def test_a_missing_field_is_named(recruitment, admin, employee_events):
    body = new_employee(employee_events)
    del body["position"]
    response = appoint(recruitment, admin, body)
    assert response.status_code == 422
    assert "position" in response.json["errors"]["json"]


def test_a_supervisor_must_be_someone_else_on_the_roster(recruitment, admin, employee_events):
    body = new_employee(employee_events)

    yourself = appoint(recruitment, admin, {**body, "supervisor_nip": body["nip"]})
    unknown = appoint(recruitment, admin, {**body, "supervisor_nip": employee_events.nip(9)})

    assert yourself.status_code == unknown.status_code == 422
    assert "own supervisor" in yourself.json["errors"]["json"]["supervisor_nip"][0]
    assert "on the roster" in unknown.json["errors"]["json"]["supervisor_nip"][0]
    assert recruitment.count("employees") == recruitment.count("outbox") == 0


def test_reading_an_employee(recruitment, keys, admin, employee_events):
    body = new_employee(employee_events)
    appoint(recruitment, admin, body)
    nip = body["nip"]

    assert recruitment.client.get(f"/employees/{nip}").status_code == 401
    assert (
        recruitment.client.get(f"/employees/{nip}", headers=keys.headers("employee")).status_code
        == 403
    )
    for role in ("admin", "recruiter"):
        response = recruitment.client.get(f"/employees/{nip}", headers=keys.headers(role))
        assert response.status_code == 200
        assert response.json["name"] == body["name"]
    missing = recruitment.client.get(f"/employees/{employee_events.nip(2)}", headers=admin)
    assert missing.status_code == 404
    invalid = recruitment.client.get("/employees/12345", headers=admin)
    assert invalid.status_code == 422
    assert invalid.json["errors"]["path"]["nip"] == ["NIP must be 18 digits."]


# -- updates ------------------------------------------------------------------------------


def test_a_transfer_publishes_the_whole_record_and_what_changed(
    recruitment, admin, employee_events
):
    boss = new_employee(employee_events, 1, name="Kepala Badan", position="Kepala BKD")
    staff = new_employee(employee_events, 2, unit="DINKES")
    appoint(recruitment, admin, boss)
    created = appoint(recruitment, admin, staff).json
    change = {"unit": "BKD", "position": "Analis SDM", "supervisor_nip": boss["nip"]}

    response = recruitment.client.patch(
        f"/employees/{staff['nip']}",
        json={**change, "reason": "SK Gubernur 821/45/2025"},
        headers={**admin, "X-Request-ID": REQUEST_ID},
    )

    assert response.status_code == 200, response.json
    assert {k: response.json[k] for k in change} == change
    assert response.json["updated_at"] > created["updated_at"]
    event = recruitment.outbox_events()[-1]
    validate_event(event)
    assert event["type"] == "recruitment.employee.updated"
    assert event["correlation_id"] == REQUEST_ID
    expected = {k: v for k, v in {**staff, **change}.items() if k != "appointed_on"}
    assert event["data"] == {
        **expected,
        "changed": ["unit", "position", "supervisor_nip"],
        "reason": "SK Gubernur 821/45/2025",
        "unpaid_leave": [],
    }
    stored = recruitment.client.get(f"/employees/{staff['nip']}", headers=admin).json
    assert {k: stored[k] for k in change} == change


def test_an_update_that_changes_nothing_publishes_nothing(recruitment, admin, employee_events):
    body = new_employee(employee_events)
    appoint(recruitment, admin, body)
    before = recruitment.rows("employees")

    response = recruitment.client.patch(
        f"/employees/{body['nip']}",
        json={"unit": body["unit"], "name": body["name"]},
        headers=admin,
    )

    assert response.status_code == 200
    assert recruitment.rows("employees") == before
    assert len(recruitment.outbox_events()) == 1  # the appointment only


def test_only_changed_fields_are_listed(recruitment, admin, employee_events):
    body = new_employee(employee_events)
    appoint(recruitment, admin, body)

    recruitment.client.patch(
        f"/employees/{body['nip']}", json={"unit": body["unit"], "name": "Rahmat H."}, headers=admin
    )

    assert recruitment.outbox_events()[-1]["data"]["changed"] == ["name"]


def test_updates_need_an_admin(recruitment, keys, admin, employee_events):
    body = new_employee(employee_events)
    appoint(recruitment, admin, body)
    url = f"/employees/{body['nip']}"

    assert recruitment.client.patch(url, json={"unit": "X"}).status_code == 401
    assert (
        recruitment.client.patch(
            url, json={"unit": "X"}, headers=keys.headers("recruiter")
        ).status_code
        == 403
    )
    assert recruitment.rows("employees")[0]["unit"] == body["unit"]


def test_updating_an_unknown_or_invalid_nip(recruitment, admin, employee_events):
    unknown = recruitment.client.patch(
        f"/employees/{employee_events.nip(5)}", json={"unit": "BKD"}, headers=admin
    )
    invalid = recruitment.client.patch("/employees/abc", json={"unit": "BKD"}, headers=admin)
    assert unknown.status_code == 404
    assert invalid.status_code == 422
    assert "nip" in invalid.json["errors"]["path"]


@pytest.mark.parametrize(
    ("patch", "field", "reason"),
    [
        ({}, "_schema", "at least one field"),
        ({"reason": "no change given"}, "_schema", "at least one field"),
        ({"gender": "F"}, "gender", "Unknown field"),
        ({"birth_date": "1991-01-01"}, "birth_date", "Unknown field"),
        ({"status": "CPNS"}, "status", "cannot become CPNS"),
        ({"status": "PPPK"}, "status", "different appointments"),
        ({"unit": ""}, "unit", "blank"),
        ({"supervisor_nip": "X"}, "supervisor_nip", "18 digits"),
    ],
)
def test_an_invalid_update_is_refused_naming_the_field_and_changes_nothing(
    recruitment, admin, employee_events, patch, field, reason
):
    body = new_employee(employee_events)
    appoint(recruitment, admin, body)
    before = recruitment.rows("employees"), recruitment.outbox_events()

    response = recruitment.client.patch(f"/employees/{body['nip']}", json=patch, headers=admin)

    assert response.status_code == 422, response.json
    reasons = response.json["errors"]["json"][field]
    assert any(reason in text for text in reasons), reasons
    assert (recruitment.rows("employees"), recruitment.outbox_events()) == before


def test_a_cpns_becomes_pns_only_after_the_probation_year(recruitment, admin, employee_events):
    this_month = today_in_province().replace(day=1)
    recent = employee_events.nip(1, tmt=(this_month.year, this_month.month))
    veteran = employee_events.nip(2, tmt=(2015, 3))
    appoint(recruitment, admin, {**employee_events.record(recent, status="CPNS")})
    appoint(recruitment, admin, {**employee_events.record(veteran, status="CPNS")})

    early = recruitment.client.patch(f"/employees/{recent}", json={"status": "PNS"}, headers=admin)
    # Latsar passed (tests/service/test_recruitment_latsar.py checks the gate itself).
    assert recruitment.deliver(course_completed(veteran)) == ["ack"]
    due = recruitment.client.patch(f"/employees/{veteran}", json={"status": "PNS"}, headers=admin)

    assert early.status_code == 422
    assert "one year of probation" in early.json["errors"]["json"]["status"][0]
    assert due.status_code == 200
    assert recruitment.outbox_events()[-1]["data"]["changed"] == ["status"]


def test_a_supervision_loop_is_refused(recruitment, admin, employee_events):
    top, middle, bottom = (new_employee(employee_events, i) for i in (1, 2, 3))
    appoint(recruitment, admin, top)
    appoint(recruitment, admin, {**middle, "supervisor_nip": top["nip"]})
    appoint(recruitment, admin, {**bottom, "supervisor_nip": middle["nip"]})

    response = recruitment.client.patch(
        f"/employees/{top['nip']}", json={"supervisor_nip": bottom["nip"]}, headers=admin
    )

    assert response.status_code == 422
    assert "reports" in response.json["errors"]["json"]["supervisor_nip"][0]
    assert recruitment.rows("employees")[0]["supervisor_nip"] is None


def test_removing_a_supervisor(recruitment, admin, employee_events):
    boss, staff = new_employee(employee_events, 1), new_employee(employee_events, 2)
    appoint(recruitment, admin, boss)
    appoint(recruitment, admin, {**staff, "supervisor_nip": boss["nip"]})

    response = recruitment.client.patch(
        f"/employees/{staff['nip']}", json={"supervisor_nip": None}, headers=admin
    )

    assert response.status_code == 200
    assert response.json["supervisor_nip"] is None
    assert recruitment.outbox_events()[-1]["data"]["changed"] == ["supervisor_nip"]


# -- the database -------------------------------------------------------------------------


def test_migrations_match_the_models_on_sqlite(recruitment):
    assert pending_changes(recruitment.engine, SPEC.metadata) == []


@pytest.mark.postgres
def test_migrations_match_the_models_and_the_roster_works_on_postgres(
    make_service, postgres_url, admin, employee_events
):
    service = make_service("recruitment", postgres_url)
    assert pending_changes(service.engine, SPEC.metadata) == []
    body = new_employee(employee_events)
    assert appoint(service, admin, body).status_code == 201
    assert appoint(service, admin, body).status_code == 409
    response = service.client.patch(
        f"/employees/{body['nip']}", json={"unit": "BPKAD"}, headers=admin
    )
    assert response.status_code == 200
    assert [e["type"] for e in service.outbox_events()] == [
        "recruitment.employee.appointed",
        "recruitment.employee.updated",
    ]


def test_the_database_refuses_what_the_api_would(recruitment, employee_events):
    """Constraints back the schema: a row written around the API still cannot be corrupt."""
    now = datetime.now(UTC)
    values = {
        **employee_events.record(),
        "gender": "X",
        "birth_date": date(1990, 1, 15),
        "tmt_cpns": date(2015, 3, 1),
        "appointed_on": date(2015, 3, 1),
        "created_at": now,
        "updated_at": now,
    }
    with pytest.raises(IntegrityError), Session(recruitment.engine) as session:
        session.add(Employee(**values))
        session.flush()
    assert recruitment.count("employees") == 0
