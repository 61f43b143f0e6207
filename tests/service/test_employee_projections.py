"""Each consuming service's projection of the roster: fed by recruitment's employee events,
read by admins at GET /employees/{nip}. One set of tests, run for every consuming service with
the fields that service keeps."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from chassis.auth import ROLES
from chassis.bus import Event
from chassis.migrations import pending_changes

# The fields each service keeps of an employee (each keeps no more than it needs).
FIELDS = {
    "appraisal": ("nip", "name", "unit", "position", "supervisor_nip", "status", "tmt_cpns"),
    "training": ("nip", "name", "unit", "position", "supervisor_nip", "status", "tmt_cpns"),
    "awards": ("nip", "name", "unit", "position", "status", "tmt_cpns"),
    "feedback": ("nip", "name", "unit", "position"),
}


@pytest.fixture(params=sorted(FIELDS))
def service(request, make_service):
    """Each consuming service in turn, on its own migrated SQLite database."""
    return make_service(request.param)


def projected(service, nip):
    """The projection's row for `nip` (None when there is none)."""
    rows = [row for row in service.rows("employees") if row["nip"] == nip]
    return rows[0] if rows else None


def expected(service, record, moment):
    """The row a record seen at `moment` should leave in `service`."""
    row = {name: record[name] for name in FIELDS[service.name]}
    if "tmt_cpns" in row:
        row["tmt_cpns"] = date.fromisoformat(row["tmt_cpns"])
    return {**row, "as_of": moment}


def test_reading_an_employee_needs_a_token(service, employee_events):
    response = service.client.get(f"/employees/{employee_events.nip()}")
    assert response.status_code == 401
    assert response.json["code"] == 401


@pytest.mark.parametrize("role", [role for role in ROLES if role != "admin"])
def test_only_admins_read_the_projection(service, keys, employee_events, role):
    service.apply(employee_events.appointed(employee_events.record()))
    response = service.client.get(f"/employees/{employee_events.nip()}", headers=keys.headers(role))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("nip", "reason"),
    [
        ("12345", "18 digits"),
        ("199013152015031001", "birth date"),
        ("199001152015033001", "gender"),
    ],
)
def test_an_invalid_nip_is_refused_naming_the_field(service, keys, nip, reason):
    response = service.client.get(f"/employees/{nip}", headers=keys.headers("admin"))
    assert response.status_code == 422
    [problem] = response.json["errors"]["path"]["nip"]
    assert reason in problem


def test_an_employee_no_event_named_is_not_found(service, keys, employee_events):
    service.apply(employee_events.appointed(employee_events.record(employee_events.nip(1))))
    response = service.client.get(
        f"/employees/{employee_events.nip(2)}", headers=keys.headers("admin")
    )
    assert response.status_code == 404


def test_an_admin_reads_what_the_events_said(service, keys, employee_events):
    [moment] = employee_events.moments(1)
    record = employee_events.record(status="CPNS", unit="DINKES", position="Perawat Ahli Pertama")
    service.apply(employee_events.appointed(record, occurred_at=moment))

    response = service.client.get(f"/employees/{record['nip']}", headers=keys.headers("admin"))

    assert response.status_code == 200
    body = dict(response.json)
    assert datetime.fromisoformat(body.pop("as_of")) == moment
    assert body == {name: record[name] for name in FIELDS[service.name]}


def test_migrations_match_the_models_on_sqlite(service):
    assert pending_changes(service.engine, service.spec.metadata) == []


@pytest.mark.postgres
@pytest.mark.parametrize("name", sorted(FIELDS))
def test_migrations_match_the_models_on_postgres(make_service, postgres_url, name):
    service = make_service(name, postgres_url)
    assert pending_changes(service.engine, service.spec.metadata) == []


def test_appointed_then_updated_through_the_consumer(service, employee_events):
    first, second = employee_events.moments(2)
    record = employee_events.record(status="CPNS", unit="DINKES", position="Perawat Ahli Pertama")
    moved = {**record, "status": "PNS", "unit": "RSUD", "position": "Perawat Ahli Muda"}

    assert service.deliver(employee_events.appointed(record, occurred_at=first)) == ["ack"]
    assert projected(service, record["nip"]) == expected(service, record, first)

    update = employee_events.updated(moved, ["status", "unit", "position"], occurred_at=second)
    assert service.deliver(update) == ["ack"]
    assert projected(service, record["nip"]) == expected(service, moved, second)
    assert service.count("inbox") == 2
    assert service.count("employees") == 1


def test_a_stale_update_is_ignored(service, employee_events):
    first, second, third = employee_events.moments(3)
    record = employee_events.record()
    newest = {**record, "unit": "BAPPEDA", "position": "Perencana Ahli Muda"}
    older = {**record, "unit": "DISHUB", "position": "Penguji Kendaraan"}

    service.apply(
        employee_events.appointed(record, occurred_at=first),
        employee_events.updated(newest, ["unit", "position"], occurred_at=third),
        employee_events.updated(older, ["unit", "position"], occurred_at=second),
    )

    assert projected(service, record["nip"]) == expected(service, newest, third)


def test_an_update_that_overtakes_the_appointment_is_kept(service, employee_events):
    first, second = employee_events.moments(2)
    record = employee_events.record()
    moved = {**record, "unit": "INSPEKTORAT", "name": "Rahmat Hidayat, S.E."}

    service.deliver(employee_events.updated(moved, ["unit", "name"], occurred_at=second))
    service.deliver(employee_events.appointed(record, occurred_at=first))

    assert projected(service, record["nip"]) == expected(service, moved, second)


def test_the_same_event_twice_is_handled_once(service, employee_events):
    event = employee_events.appointed(employee_events.record())

    assert service.deliver(event, event) == ["ack", "ack"]
    assert service.deliver(event) == ["ack"]

    assert service.count("inbox") == 1
    assert service.count("employees") == 1


def test_an_event_off_its_contract_is_dead_lettered_and_changes_nothing(service, employee_events):
    good = employee_events.appointed(employee_events.record())
    data = {key: value for key, value in good.data.items() if key != "unit"}
    broken = Event(type=good.type, data=data, source="recruitment", correlation_id="c-broken")

    assert service.deliver(broken) == ["reject"]
    assert service.count("employees") == service.count("inbox") == 0


@pytest.mark.postgres
@pytest.mark.parametrize("name", sorted(FIELDS))
def test_the_projection_on_postgres(make_service, postgres_url, employee_events, name):
    service = make_service(name, postgres_url)
    first, second, third = employee_events.moments(3)
    record = employee_events.record(status="CPNS")
    newest = {**record, "status": "PNS", "unit": "BKD"}
    older = {**record, "unit": "DINKES"}

    assert service.deliver(
        employee_events.appointed(record, occurred_at=first),
        employee_events.updated(newest, ["status", "unit"], occurred_at=third),
        employee_events.updated(older, ["unit"], occurred_at=second),
    ) == ["ack", "ack", "ack"]

    assert projected(service, record["nip"]) == expected(service, newest, third)
    assert service.count("inbox") == 3
