"""The outbox relay's turn: one relay per database publishes, the lock taken with the read."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, text
from sqlalchemy.orm import Session

from chassis.db import make_engine
from chassis.outbox import Outbox, OutboxRelay, outbox_table
from contracts import contract, validate_event

FINALIZED = contract("appraisal.appraisal.finalized")

pytestmark = pytest.mark.postgres


class RecordingPublisher:
    """Stands in for the broker: keeps what it was given, confirms everything."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def publish(self, messages) -> None:
        self.sent += [message.event_id for message in messages]

    def close(self) -> None:
        pass


def test_a_relay_publishes_nothing_while_another_holds_the_turn(postgres_url):
    metadata = MetaData()
    outbox = Outbox(outbox_table(metadata), source="appraisal", validate=validate_event)
    engine = make_engine(postgres_url)
    metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        added = [outbox.add(session, FINALIZED.type, FINALIZED.example) for _ in range(3)]
    publisher = RecordingPublisher()
    relay = OutboxRelay(engine, outbox, lambda: publisher)
    try:
        with engine.connect() as other, other.begin():
            # Another relay of the same service, in the middle of its batch.
            other.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": relay._lock_key})
            assert relay.publish_pending() == 0
            assert relay.publish_pending(probe=False) == 0
        assert publisher.sent == []
        assert relay.publish_pending() == 3
        assert publisher.sent == [event.event_id for event in added]
        assert relay.publish_pending() == 0 and relay.publish_pending(probe=False) == 0
    finally:
        engine.dispose()
