"""The feedback service keeps its projection of the roster from recruitment's employee events."""

from __future__ import annotations

from datetime import date

import pytest

from chassis.bus import Event

FIELDS = ("nip", "name", "unit", "position")


@pytest.fixture
def feedback(make_service):
    return make_service("feedback")


def projected(service, nip):
    """The projection's row for `nip` (None when there is none)."""
    rows = [row for row in service.rows("employees") if row["nip"] == nip]
    return rows[0] if rows else None


def expected(record, moment):
    """The row a record seen at `moment` should leave."""
    row = {name: record[name] for name in FIELDS}
    if "tmt_cpns" in row:
        row["tmt_cpns"] = date.fromisoformat(row["tmt_cpns"])
    return {**row, "as_of": moment}


def test_appointed_then_updated_through_the_consumer(feedback, employee_events):
    first, second = employee_events.moments(2)
    record = employee_events.record(status="CPNS", unit="DINKES", position="Perawat Ahli Pertama")
    moved = {**record, "status": "PNS", "unit": "RSUD", "position": "Perawat Ahli Muda"}

    assert feedback.deliver(employee_events.appointed(record, occurred_at=first)) == ["ack"]
    assert projected(feedback, record["nip"]) == expected(record, first)

    update = employee_events.updated(moved, ["status", "unit", "position"], occurred_at=second)
    assert feedback.deliver(update) == ["ack"]
    assert projected(feedback, record["nip"]) == expected(moved, second)
    assert feedback.count("inbox") == 2
    assert feedback.count("employees") == 1


def test_a_stale_update_is_ignored(feedback, employee_events):
    first, second, third = employee_events.moments(3)
    record = employee_events.record()
    newest = {**record, "unit": "BAPPEDA", "position": "Perencana Ahli Muda"}
    older = {**record, "unit": "DISHUB", "position": "Penguji Kendaraan"}

    feedback.apply(
        employee_events.appointed(record, occurred_at=first),
        employee_events.updated(newest, ["unit", "position"], occurred_at=third),
        employee_events.updated(older, ["unit", "position"], occurred_at=second),
    )

    assert projected(feedback, record["nip"]) == expected(newest, third)


def test_an_update_that_overtakes_the_appointment_is_kept(feedback, employee_events):
    first, second = employee_events.moments(2)
    record = employee_events.record()
    moved = {**record, "unit": "INSPEKTORAT", "name": "Rahmat Hidayat, S.E."}

    feedback.deliver(employee_events.updated(moved, ["unit", "name"], occurred_at=second))
    feedback.deliver(employee_events.appointed(record, occurred_at=first))

    assert projected(feedback, record["nip"]) == expected(moved, second)


def test_the_same_event_twice_is_handled_once(feedback, employee_events):
    event = employee_events.appointed(employee_events.record())

    assert feedback.deliver(event, event) == ["ack", "ack"]
    assert feedback.deliver(event) == ["ack"]

    assert feedback.count("inbox") == 1
    assert feedback.count("employees") == 1


def test_an_event_off_its_contract_is_dead_lettered_and_changes_nothing(feedback, employee_events):
    good = employee_events.appointed(employee_events.record())
    data = {key: value for key, value in good.data.items() if key != "unit"}
    broken = Event(type=good.type, data=data, source="recruitment", correlation_id="c-broken")

    assert feedback.deliver(broken) == ["reject"]
    assert feedback.count("employees") == feedback.count("inbox") == 0


@pytest.mark.postgres
def test_the_projection_on_postgres(make_service, postgres_url, employee_events):
    service = make_service("feedback", postgres_url)
    first, second, third = employee_events.moments(3)
    record = employee_events.record(status="CPNS")
    newest = {**record, "status": "PNS", "unit": "BKD"}
    older = {**record, "unit": "DINKES"}

    assert service.deliver(
        employee_events.appointed(record, occurred_at=first),
        employee_events.updated(newest, ["status", "unit"], occurred_at=third),
        employee_events.updated(older, ["unit"], occurred_at=second),
    ) == ["ack", "ack", "ack"]

    assert projected(service, record["nip"]) == expected(newest, third)
    assert service.count("inbox") == 3
