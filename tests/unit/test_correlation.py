"""A request id travels on: into the events a handler publishes while handling an event."""

from __future__ import annotations

import json
import uuid

from kombu import Connection
from sqlalchemy import MetaData, create_engine, select

from chassis.bus import Event, Outgoing, Topology, message_properties
from chassis.inbox import EventConsumer, inbox_table
from chassis.outbox import Outbox, outbox_table
from contracts import contract, validate_event

APPOINTED = contract("recruitment.employee.appointed")
NEED = contract("training.need.identified")


def test_an_event_a_handler_publishes_carries_the_incoming_correlation_id(tmp_path):
    metadata = MetaData()
    outbox = Outbox(outbox_table(metadata), source="training", validate=validate_event)
    inbox = inbox_table(metadata)
    engine = create_engine(f"sqlite:///{tmp_path / 'training.db'}")
    metadata.create_all(engine)

    def handle_employee_appointed(session, event):
        # A handler reacting with an event of its own (as training will with a Latsar need).
        outbox.add(session, NEED.type, {**NEED.example, "nip": event.data["nip"]})

    incoming = Event(
        type=APPOINTED.type,
        data=APPOINTED.example,
        source="recruitment",
        correlation_id="req-from-the-gateway-42",
    )
    connection = Connection("memory://")
    queue = connection.SimpleQueue(f"correlation-{uuid.uuid4().hex}")
    queue.put(
        incoming.to_json(),
        serializer=None,
        content_type="application/json",
        headers={"correlation_id": incoming.correlation_id},
        **message_properties(Outgoing.of(incoming)),
    )
    consumer = EventConsumer(
        service="training",
        engine=engine,
        inbox=inbox,
        handlers={APPOINTED.type: handle_employee_appointed},
        topology=Topology(),
        connection_factory=lambda: Connection("memory://"),
        validate=validate_event,
    )
    consumer.handle_batch([queue.get(timeout=1)])
    queue.close()
    connection.release()

    with engine.connect() as db:
        [row] = db.execute(select(outbox.table)).all()
    published = json.loads(row.envelope)
    assert row.correlation_id == published["correlation_id"] == "req-from-the-gateway-42"
    assert published["type"] == NEED.type and published["source"] == "training"
