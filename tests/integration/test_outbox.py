"""The outbox on the real broker: only committed events leave, in order, well formed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from chassis.bus import Publisher, connect
from chassis.logs import correlation_scope
from chassis.outbox import OutboxRelay
from contracts import validate_event
from tests.integration.support import FINALIZED, Ledger, Pika, finalized_data

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


def relay_for(ledger: Ledger, amqp_url: str) -> OutboxRelay:
    """The chassis relay of the test service, publishing to the test vhost."""
    return OutboxRelay(
        ledger.engine, ledger.outbox, lambda: Publisher(connect(amqp_url), "asn.events")
    )


def drain(relay: OutboxRelay) -> int:
    """Run the relay until the outbox has nothing left to send; how many it sent."""
    total = 0
    while sent := relay.publish_pending():
        total += sent
    relay._drop_publisher()
    return total


class Boom(Exception):
    pass


def test_rolled_back_event_is_never_published(ledger: Ledger, rabbit: Pika, amqp_url: str):
    tap = rabbit.tap("#")
    relay = relay_for(ledger, amqp_url)

    with pytest.raises(Boom), Session(ledger.engine) as session, session.begin():
        ledger.outbox.add(session, FINALIZED, finalized_data(1))
        raise Boom("the change failed, and its event goes with it")
    with Session(ledger.engine) as session:
        ledger.outbox.add(session, FINALIZED, finalized_data(2))
        session.rollback()

    assert drain(relay) == 0
    assert rabbit.count(tap) == 0  # the relay confirmed nothing, so nothing was routed

    (committed,) = ledger.write([3])
    assert drain(relay) == 1
    (seen,) = rabbit.take(tap, 1)
    assert seen.properties.message_id == committed
    assert rabbit.count(tap) == 0
    assert ledger.unsent() == 0


def test_committed_events_arrive_in_order_with_their_properties(
    ledger: Ledger, rabbit: Pika, amqp_url: str
):
    tap = rabbit.tap("#")
    with correlation_scope("req-outbox-order-1"):
        first = ledger.write(range(0, 40))
    second = ledger.write(range(40, 45))
    singles = [ledger.write([n])[0] for n in range(45, 60)]
    expected = first + second + singles

    assert drain(relay_for(ledger, amqp_url)) == len(expected)
    seen = rabbit.take(tap, len(expected))

    assert [message.properties.message_id for message in seen] == expected
    for message in seen:
        envelope = json.loads(message.body)
        validate_event(envelope)
        properties = message.properties
        assert message.routing_key == FINALIZED
        assert properties.type == FINALIZED == envelope["type"]
        assert properties.message_id == envelope["event_id"]
        assert properties.content_type == "application/json"
        assert properties.delivery_mode == 2
        assert properties.headers["correlation_id"] == envelope["correlation_id"]
        assert envelope["source"] == "appraisal"
    assert {m.envelope["correlation_id"] for m in seen[:40]} == {"req-outbox-order-1"}
    assert [m.envelope["data"]["appraisal_id"] for m in seen] == [f"apr-{n}" for n in range(60)]
    assert rabbit.count(tap) == 0
    assert ledger.unsent() == 0


def test_relay_keeps_rows_while_the_broker_cannot_be_reached(ledger: Ledger, rabbit: Pika):
    """With no broker the relay fails loudly and marks nothing sent; the rows wait."""
    ledger.write(range(5))
    unreachable = "amqp://guest:guest@127.0.0.1:1//"
    relay = OutboxRelay(
        ledger.engine,
        ledger.outbox,
        lambda: Publisher(connect(unreachable, timeout=1.0), "asn.events"),
    )
    with pytest.raises(Exception):  # noqa: B017 - whatever the transport raises
        relay.publish_pending()
    assert ledger.unsent() == 5
    table = ledger.outbox.table
    with ledger.engine.connect() as connection:
        attempts = connection.execute(table.select().with_only_columns(table.c.attempts)).scalars()
        assert set(attempts) == {1}
