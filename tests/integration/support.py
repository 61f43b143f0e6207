"""Helpers of the integration tests of the bus (their fixtures are in conftest.py).

A small test service ("ledger") whose handler's effect can be counted: it publishes
`appraisal.appraisal.finalized` from its outbox and consumes the same type, writing one `effects`
row per handled event. It runs on the real chassis (Outbox, OutboxRelay, EventConsumer, Worker)
against the real RabbitMQ and PostgreSQL; what crosses the broker is watched with pika, an
independent client. The `effects` table has no unique key on purpose: a doubled effect would show.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import replace as replace_spec
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pika
import pytest
from sqlalchemy import Column, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.config import Settings
from chassis.db import NAMING_CONVENTION, BigId, UtcDateTime, make_engine
from chassis.inbox import inbox_table
from chassis.outbox import Outbox, outbox_table
from chassis.service import ServiceSpec
from chassis.worker import Worker
from contracts import validate_event
from contracts.appraisal import BERAKHLAK_VALUES
from contracts.identifiers import make_nip

FINALIZED = "appraisal.appraisal.finalized"
APPOINTED = "recruitment.employee.appointed"


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.05) -> Any:
    """Poll `condition` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what} (last: {value!r})")
        time.sleep(every)


def birth_of(n: int) -> date:
    """The birth date of the n-th test employee."""
    return date(1970, 1, 1) + timedelta(days=n % 5000)


def nip_of(n: int) -> str:
    """A valid NIP for the n-th test employee (distinct for n below 5,000)."""
    return make_nip(birth_of(n), 2005 + n % 15, 1 + n % 12, "MF"[n % 2], 1 + n % 999)


def finalized_data(n: int) -> dict[str, Any]:
    """The data of a valid `appraisal.appraisal.finalized` event, numbered `n`."""
    return {
        "appraisal_id": f"apr-{n}",
        "nip": nip_of(n),
        "unit": "BKD",
        "appraiser_nip": nip_of(n + 1),
        "year": 2025,
        "period": "ANNUAL",
        "results_rating": "SESUAI",
        "behaviour_rating": "SESUAI",
        "behaviour_values": dict.fromkeys(BERAKHLAK_VALUES, "SESUAI"),
        "predikat": "BAIK",
        "finalized_at": datetime.now(UTC).isoformat(),
    }


def finalized_envelope(n: int, correlation_id: str | None = None) -> dict[str, Any]:
    """A valid `appraisal.appraisal.finalized` envelope, as another client would send it."""
    return {
        "event_id": str(uuid.uuid4()),
        "type": FINALIZED,
        "version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "source": "appraisal",
        "correlation_id": correlation_id or f"it-finalized-{n}",
        "data": finalized_data(n),
    }


def appointed_envelope(n: int, correlation_id: str | None = None) -> dict[str, Any]:
    """A valid `recruitment.employee.appointed` envelope, as the recruitment service sends it."""
    return {
        "event_id": str(uuid.uuid4()),
        "type": APPOINTED,
        "version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "source": "recruitment",
        "correlation_id": correlation_id or f"it-{uuid.uuid4().hex[:16]}",
        "data": {
            "nip": nip_of(n),
            "name": f"Pegawai {n}",
            "gender": "MF"[n % 2],
            "birth_date": birth_of(n).isoformat(),
            "tmt_cpns": "2015-03-01",
            "status": "PNS",
            "unit": "BKD",
            "position": "Analis SDM Aparatur",
            "supervisor_nip": None,
            "appointed_on": "2015-03-01",
        },
    }


# -- the countable test service ------------------------------------------------------------


@dataclass
class Ledger:
    """The test service's database: outbox, inbox and the countable `effects` table."""

    url: str
    name: str = "ledger"
    metadata: MetaData = field(init=False)

    def __post_init__(self) -> None:
        self.metadata = MetaData(naming_convention=NAMING_CONVENTION)
        table = outbox_table(self.metadata)
        self.outbox = Outbox(table, source="appraisal", validate=validate_event)
        self.inbox = inbox_table(self.metadata)
        self.effects = Table(
            "effects",
            self.metadata,
            Column("id", BigId, primary_key=True, autoincrement=True),
            Column("event_id", String(36), nullable=False),
            Column("appraisal_id", String(64), nullable=False),
            Column("handled_at", UtcDateTime(), nullable=False, server_default=func.now()),
        )
        self.engine = make_engine(self.url)
        self.metadata.create_all(self.engine)
        self.calls: list[tuple[str, float]] = []  # (event_id, monotonic time) of handler calls

    def handle_appraisal_finalized(self, session: Session, event: Event) -> None:
        """The effect: one `effects` row per handled event."""
        self.calls.append((event.event_id, time.monotonic()))
        session.execute(
            insert(self.effects).values(
                event_id=event.event_id, appraisal_id=event.data["appraisal_id"]
            )
        )

    def spec(self, handler: Callable[[Session, Event], None] | None = None) -> ServiceSpec:
        """The test service's spec, with the counting handler or `handler`."""
        return ServiceSpec(
            name=self.name,
            title="integration test service",
            metadata=self.metadata,
            outbox=self.outbox,
            inbox=self.inbox,
            migrations_dir=Path(__file__).parent,
            handlers={FINALIZED: handler or self.handle_appraisal_finalized},
            validate_event=validate_event,
        )

    def write(self, numbers: range | list[int]) -> list[str]:
        """Add one event per number to the outbox in one committed transaction; their ids."""
        with Session(self.engine) as session, session.begin():
            return [
                self.outbox.add(session, FINALIZED, finalized_data(n)).event_id for n in numbers
            ]

    def scalar(self, statement) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(statement).scalar()

    def effect_count(self) -> int:
        return self.scalar(select(func.count()).select_from(self.effects))

    def doubled_effects(self) -> list[str]:
        """Event ids whose effect was applied more than once."""
        column = self.effects.c.event_id
        with self.engine.connect() as connection:
            query = select(column).group_by(column).having(func.count() > 1)
            return list(connection.execute(query).scalars())

    def effect_ids(self) -> set[str]:
        with self.engine.connect() as connection:
            return set(connection.execute(select(self.effects.c.event_id)).scalars())

    def inbox_ids(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(select(self.inbox.c.event_id)).scalars())

    def unsent(self) -> int:
        table = self.outbox.table
        return self.scalar(select(func.count()).select_from(table).where(table.c.sent_at.is_(None)))


def settings_for(service: str, amqp_url: str, database_url: str, **extra: str) -> Settings:
    """Worker settings on the test vhost and database, nothing read from this process's env."""
    return Settings.from_env(
        service, {"AMQP_URL": amqp_url, "DATABASE_URL": database_url, **extra}, environ={}
    )


class Workers:
    """Starts in-process workers (relay + consumer threads) and stops them all at teardown."""

    def __init__(self, amqp_url: str) -> None:
        self.amqp_url = amqp_url
        self.running: list[Worker] = []

    def start(self, ledger: Ledger, handler=None, *, consume: bool = True, **env: str) -> Worker:
        """A started worker of the ledger service (relay only when `consume` is false)."""
        spec = ledger.spec(handler)
        if not consume:
            spec = replace_spec(spec, handlers={})
        worker = Worker(spec, settings_for(spec.name, self.amqp_url, ledger.url, **env))
        worker.start()
        self.running.append(worker)
        return worker

    def stop(self, worker: Worker) -> None:
        worker.shutdown()
        self.running.remove(worker)

    def assert_alive(self) -> None:
        """No relay or consumer thread of a running worker has died."""
        dead = [t.name for w in self.running for t in w.threads if not t.is_alive()]
        assert dead == [], f"worker threads died: {dead}"

    def stop_all(self) -> None:
        for worker in list(self.running):
            self.stop(worker)


# -- pika: the independent observer -----------------------------------------------------------


@dataclass
class Seen:
    """One message as pika received it."""

    routing_key: str
    properties: pika.BasicProperties
    body: bytes

    @property
    def envelope(self) -> dict[str, Any]:
        return json.loads(self.body)


class Pika:
    """A pika connection to the test vhost: publish raw messages, tap the events exchange."""

    def __init__(self, url: str) -> None:
        self.connection = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()

    def declare_exchange(self, name: str = "asn.events") -> None:
        self.channel.exchange_declare(name, "topic", durable=True)

    def tap(self, pattern: str = "#", exchange: str = "asn.events") -> str:
        """A private queue bound to `exchange` with `pattern`; returns its name."""
        self.declare_exchange(exchange)
        queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(queue, exchange, pattern)
        return queue

    def publish(
        self,
        body: bytes | str | dict,
        routing_key: str,
        *,
        exchange: str = "asn.events",
        message_id: str | None = None,
        correlation_id: str | None = None,
        event_type: str | None = None,
    ) -> None:
        """Publish one persistent message, confirmed by the broker."""
        if isinstance(body, dict):
            message_id = message_id or body.get("event_id")
            correlation_id = correlation_id or body.get("correlation_id")
            event_type = event_type or body.get("type")
            body = json.dumps(body)
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=2,
            message_id=message_id,
            type=event_type,
            headers={"correlation_id": correlation_id} if correlation_id else None,
        )
        self.channel.basic_publish(exchange, routing_key, body, properties, mandatory=False)

    def count(self, queue: str) -> int:
        """Messages ready in `queue`."""
        return self.channel.queue_declare(queue, passive=True).method.message_count

    def take(self, queue: str, expected: int, timeout: float = 20.0) -> list[Seen]:
        """Take (and ack) messages from `queue` until `expected` arrived; fail after `timeout`."""
        seen: list[Seen] = []
        deadline = time.monotonic() + timeout
        while len(seen) < expected:
            method, properties, body = self.channel.basic_get(queue, auto_ack=True)
            if method is None:
                if time.monotonic() > deadline:
                    pytest.fail(f"{len(seen)} of {expected} messages arrived in {timeout} s")
                self.connection.sleep(0.05)
                continue
            seen.append(Seen(method.routing_key, properties, body))
        return seen

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()
