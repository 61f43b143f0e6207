"""The same event delivered twice changes state once."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.testing.plugin import Broker
from tests.integration.support import (
    FINALIZED,
    Ledger,
    Pika,
    Workers,
    finalized_envelope,
    wait_for,
)

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


def duplicates_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Event ids the consumer acknowledged as already handled."""
    return [
        record.event_id
        for record in caplog.records
        if record.getMessage() == "duplicate event ignored"
    ]


def queue_settled(broker: Broker, amqp_url: str, queue: str = "ledger.events") -> bool:
    """Nothing ready or unacknowledged is left in the queue."""
    return broker.queues(amqp_url)[queue]["messages"] == "0"


def test_same_event_published_twice_changes_state_once(
    ledger: Ledger,
    workers: Workers,
    rabbit: Pika,
    broker: Broker,
    amqp_url: str,
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.INFO, logger="chassis.inbox")
    workers.start(ledger)
    event, other = finalized_envelope(1), finalized_envelope(2)
    # Twice in a row (likely the same batch), then a third time after it was handled.
    rabbit.publish(event, FINALIZED)
    rabbit.publish(event, FINALIZED)
    rabbit.publish(other, FINALIZED)
    wait_for(lambda: ledger.effect_count() >= 2, 20, "both events handled")
    rabbit.publish(event, FINALIZED)
    wait_for(lambda: len(duplicates_logged(caplog)) >= 2, 20, "both duplicates acknowledged")
    wait_for(lambda: queue_settled(broker, amqp_url), 20, "an empty queue")

    assert ledger.effect_count() == 2
    assert sorted(ledger.effect_ids()) == sorted([event["event_id"], other["event_id"]])
    assert sorted(ledger.inbox_ids()) == sorted([event["event_id"], other["event_id"]])
    assert duplicates_logged(caplog) == [event["event_id"]] * 2


def test_batch_committed_but_not_acknowledged_is_not_applied_again(
    ledger: Ledger,
    workers: Workers,
    broker: Broker,
    amqp_url: str,
    hold: threading.Event,
    caplog: pytest.LogCaptureFixture,
):
    """The connection drops while a batch is being handled: its acks are lost, it comes again."""
    caplog.set_level(logging.INFO, logger="chassis.inbox")
    handling = threading.Event()

    def slow_then_normal(session: Session, event: Event) -> None:
        if not handling.is_set():
            handling.set()
            assert hold.wait(30), "the test never released the handler"
        ledger.handle_appraisal_finalized(session, event)

    written = ledger.write(range(30))
    workers.start(ledger, slow_then_normal)
    wait_for(handling.is_set, 20, "the first batch to be in the handler")
    broker.close_connections(amqp_url, "test: dropped before the batch is acknowledged")
    hold.set()  # the batch commits now, on a connection that is gone

    wait_for(lambda: ledger.effect_count() >= 30, 60, "30 effects")
    # The consumer may handle what it had read ahead before it notices the connection is gone;
    # the broker, which took none of those acks, delivers them all again after that.
    wait_for(lambda: duplicates_logged(caplog), 30, "the unacknowledged batch delivered again")
    wait_for(lambda: queue_settled(broker, amqp_url), 60, "an empty queue")
    assert ledger.doubled_effects() == []
    assert ledger.effect_count() == 30
    assert sorted(ledger.inbox_ids()) == sorted(written)
    redelivered = duplicates_logged(caplog)
    assert redelivered, "the unacknowledged batch was not delivered again"
    assert set(redelivered) <= set(written)
    workers.assert_alive()
