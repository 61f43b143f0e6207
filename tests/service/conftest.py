"""Fixtures for testing one service through its HTTP API and its event handlers.

A service under test runs its real app factory on its own migrated database (a SQLite file in
the test's folder, or a fresh PostgreSQL database); events reach its handlers through the real
consumer (`EventConsumer.handle_batch`) on kombu's in-process transport, or directly in a session.
"""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kombu import Connection
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from chassis.bus import Event, Outgoing, Topology, message_properties
from chassis.db import Database
from chassis.inbox import EventConsumer
from chassis.migrations import upgrade
from chassis.service import ServiceSpec
from contracts import validate_event
from contracts.identifiers import make_nip
from sofifi.registry import load_spec
from tests.service.gateway_support import appraisal, make_gateway
from tests.service.selection_support import Selection
from tests.service.web_support import web_gateway  # noqa: F401 (a fixture)

# The gateway tests' fixtures (real backends over HTTP, gateways in front of them).
__all__ = ["appraisal", "make_gateway"]

APPOINTED = "recruitment.employee.appointed"
UPDATED = "recruitment.employee.updated"


@dataclass
class ServiceUnderTest:
    """A service's app, test client, engine and spec, on its own migrated database."""

    name: str
    spec: ServiceSpec
    app: Flask
    database_url: str
    client: FlaskClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.app.test_client()

    @property
    def engine(self) -> Engine:
        return Database.state(self.app).engine

    def count(self, table_name: str) -> int:
        """Rows in one of the service's tables."""
        table = self.spec.metadata.tables[table_name]
        with self.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(table))

    def rows(self, table_name: str) -> list[dict[str, Any]]:
        """Every row of one of the service's tables, as dicts, in primary-key order."""
        table = self.spec.metadata.tables[table_name]
        with self.engine.connect() as connection:
            result = connection.execute(select(table).order_by(*table.primary_key.columns))
            return [dict(row._mapping) for row in result]

    def outbox_events(self) -> list[dict[str, Any]]:
        """The envelopes written to the outbox, oldest first."""
        table = self.spec.outbox.table
        with self.engine.connect() as connection:
            rows = connection.execute(select(table).order_by(table.c.id)).all()
        return [json.loads(row.envelope) for row in rows]

    def apply(self, *events: Event) -> None:
        """Run each event's handler, all in one transaction (as one consumer batch would)."""
        with Session(self.engine) as session, session.begin():
            for event in events:
                self.spec.handlers[event.type](session, event)

    def deliver(self, *events: Event) -> list[str]:
        """Deliver the events as messages to the service's real consumer; returns what became
        of each message: "ack", "requeue" or "reject"."""
        connection = Connection("memory://")
        queue = connection.SimpleQueue(f"test-{self.name}-{uuid.uuid4().hex}")
        try:
            for event in events:
                queue.put(
                    event.to_json(),
                    serializer=None,
                    content_type="application/json",
                    content_encoding="utf-8",
                    headers={"correlation_id": event.correlation_id},
                    **message_properties(Outgoing.of(event)),
                )
            messages = [queue.get(timeout=1) for _ in events]
            consumer = EventConsumer(
                service=self.name,
                engine=self.engine,
                inbox=self.spec.inbox,
                handlers=self.spec.handlers,
                topology=Topology(),
                connection_factory=lambda: Connection("memory://"),
                validate=self.spec.validate_event,
            )
            consumer.handle_batch(messages)
            return [_fate(message) for message in messages]
        finally:
            queue.close()
            connection.release()


def _fate(message: Any) -> str:
    # kombu keeps what was done to a message in its state: ACK, REQUEUED or REJECTED.
    return {"ACK": "ack", "REQUEUED": "requeue", "REJECTED": "reject"}.get(
        message._state, message._state
    )


@pytest.fixture
def recruitment(make_service: Callable[..., ServiceUnderTest]) -> ServiceUnderTest:
    """The recruitment service on its own migrated SQLite database."""
    return make_service("recruitment")


@pytest.fixture
def selection(recruitment: ServiceUnderTest, keys: Any) -> Selection:
    """Drives the CPNS selection of `recruitment` through its HTTP API."""
    return Selection(recruitment, keys)


@pytest.fixture
def make_service(
    service_config: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., ServiceUnderTest]]:
    """Factory: `make_service(name, database_url=None)` migrates the database, builds the app."""
    made: list[ServiceUnderTest] = []

    def make(name: str, database_url: str | None = None) -> ServiceUnderTest:
        spec = load_spec(name)
        url = database_url or f"sqlite:///{tmp_path / 'var' / name}.db"
        upgrade(spec.migrations_dir, url)
        create_app = importlib.import_module(f"services.{name}.app").create_app
        app = create_app({**service_config, "DATABASE_URL": url})
        service = ServiceUnderTest(name, spec, app, url)
        made.append(service)
        return service

    yield make
    for service in made:
        service.engine.dispose()


# -- employees and their events -----------------------------------------------------------


class EmployeeEvents:
    """Valid NIPs, employee records and contract-valid employee events for tests."""

    birth = date(1990, 1, 15)

    def nip(
        self,
        sequence: int = 1,
        *,
        birth: date | None = None,
        tmt: tuple[int, int] = (2015, 3),
        gender: str = "M",
    ) -> str:
        """A valid NIP with these parts."""
        return make_nip(birth or self.birth, tmt[0], tmt[1], gender, sequence)

    def record(self, nip: str | None = None, **overrides: Any) -> dict[str, Any]:
        """An employee as recruitment's events carry it, consistent with its NIP."""
        nip = nip or self.nip()
        record = {
            "nip": nip,
            "name": "Rahmat Hidayat",
            "gender": "M" if nip[14] == "1" else "F",
            "birth_date": f"{nip[0:4]}-{nip[4:6]}-{nip[6:8]}",
            "tmt_cpns": f"{nip[8:12]}-{nip[12:14]}-01",
            "status": "PNS",
            "unit": "BKD",
            "position": "Analis SDM Aparatur Ahli Muda",
            "supervisor_nip": None,
        }
        record.update(overrides)
        return record

    def appointed(self, record: dict[str, Any], **envelope: Any) -> Event:
        """A `recruitment.employee.appointed` event carrying `record`."""
        data = {**record, "appointed_on": record["tmt_cpns"], "source": "manual"}
        return self._event(APPOINTED, data, **envelope)

    def updated(self, record: dict[str, Any], changed: list[str], **envelope: Any) -> Event:
        """A `recruitment.employee.updated` event carrying `record` after a change."""
        return self._event(UPDATED, {**record, "changed": changed}, **envelope)

    @staticmethod
    def _event(
        event_type: str,
        data: dict[str, Any],
        *,
        occurred_at: datetime | None = None,
        correlation_id: str | None = None,
    ) -> Event:
        event = Event(
            type=event_type,
            data=data,
            source="recruitment",
            correlation_id=correlation_id or uuid.uuid4().hex,
            occurred_at=(occurred_at or datetime.now(UTC)).isoformat(timespec="microseconds"),
        )
        validate_event(event.to_dict())  # the test's own input must keep to the contract
        return event

    @staticmethod
    def moments(count: int, start: datetime | None = None) -> list[datetime]:
        """`count` increasing times a minute apart."""
        first = start or datetime(2025, 3, 3, 1, 30, tzinfo=UTC)
        return [first + timedelta(minutes=i) for i in range(count)]


@pytest.fixture
def employee_events() -> EmployeeEvents:
    """Builders of valid NIPs, employee records and employee events."""
    return EmployeeEvents()
