"""The training service's projection of the roster, read by admins at GET /employees/{nip}."""

from __future__ import annotations

from datetime import datetime

import pytest

from chassis.auth import ROLES
from chassis.migrations import pending_changes
from services.training.app import SPEC

FIELDS = ("nip", "name", "unit", "position", "status", "tmt_cpns")


@pytest.fixture
def training(make_service):
    return make_service("training")


def test_reading_an_employee_needs_a_token(training, employee_events):
    response = training.client.get(f"/employees/{employee_events.nip()}")
    assert response.status_code == 401
    assert response.json["code"] == 401


@pytest.mark.parametrize("role", [role for role in ROLES if role != "admin"])
def test_only_admins_read_the_projection(training, keys, employee_events, role):
    training.apply(employee_events.appointed(employee_events.record()))
    response = training.client.get(
        f"/employees/{employee_events.nip()}", headers=keys.headers(role)
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("nip", "reason"),
    [
        ("12345", "18 digits"),
        ("199013152015031001", "birth date"),
        ("199001152015033001", "gender"),
    ],
)
def test_an_invalid_nip_is_refused_naming_the_field(training, keys, nip, reason):
    response = training.client.get(f"/employees/{nip}", headers=keys.headers("admin"))
    assert response.status_code == 422
    [problem] = response.json["errors"]["path"]["nip"]
    assert reason in problem


def test_an_employee_no_event_named_is_not_found(training, keys, employee_events):
    training.apply(employee_events.appointed(employee_events.record(employee_events.nip(1))))
    response = training.client.get(
        f"/employees/{employee_events.nip(2)}", headers=keys.headers("admin")
    )
    assert response.status_code == 404


def test_an_admin_reads_what_the_events_said(training, keys, employee_events):
    [moment] = employee_events.moments(1)
    record = employee_events.record(status="CPNS", unit="DINKES", position="Perawat Ahli Pertama")
    training.apply(employee_events.appointed(record, occurred_at=moment))

    response = training.client.get(f"/employees/{record['nip']}", headers=keys.headers("admin"))

    assert response.status_code == 200
    body = dict(response.json)
    assert datetime.fromisoformat(body.pop("as_of")) == moment
    assert body == {name: record[name] for name in FIELDS}


def test_migrations_match_the_models_on_sqlite(training):
    assert pending_changes(training.engine, SPEC.metadata) == []


@pytest.mark.postgres
def test_migrations_match_the_models_on_postgres(make_service, postgres_url):
    service = make_service("training", postgres_url)
    assert pending_changes(service.engine, SPEC.metadata) == []
