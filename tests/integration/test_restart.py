"""Exactly one effect per event while the broker restarts, connections drop, and workers restart."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from chassis.testing.plugin import Broker, Postgres
from tests.integration.support import (
    FINALIZED,
    Ledger,
    Pika,
    Workers,
    finalized_envelope,
    wait_for,
)

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]


class Writer(threading.Thread):
    """Writes `total` events in many small transactions, at a steady pace, as a service would."""

    def __init__(self, ledger: Ledger, total: int, holds: tuple[int, ...] = ()) -> None:
        super().__init__(name="test-writer", daemon=True)
        self.ledger, self.total, self.pause = ledger, total, 0.02
        self.written: list[str] = []
        self.error: BaseException | None = None
        # The writer stops at each of these counts until the test sets the hold's event.
        self.holds = {count: threading.Event() for count in holds}

    def run(self) -> None:
        n, size = 0, 1
        try:
            while n < self.total:
                for count, go_on in self.holds.items():
                    if n >= count:
                        assert go_on.wait(120), "the test never let the writer go on"
                chunk = range(n, min(n + size, self.total))
                self.written.extend(self.ledger.write(chunk))
                n, size = chunk.stop, size % 15 + 1
                time.sleep(self.pause)
        except BaseException as exc:
            self.error = exc

    def finish(self, timeout: float = 60.0) -> list[str]:
        self.join(timeout)
        assert not self.is_alive(), "the writer did not finish"
        assert self.error is None, f"the writer failed: {self.error!r}"
        assert len(self.written) == self.total
        return self.written


def assert_exactly_once(ledger: Ledger, written: list[str], timeout: float = 120.0) -> None:
    """Every written event's effect is applied, once; the inbox holds each id once; all sent."""
    total = len(written)
    wait_for(lambda: ledger.effect_count() >= total, timeout, f"{total} effects")
    assert ledger.doubled_effects() == []
    assert ledger.effect_count() == total
    assert ledger.effect_ids() == set(written)
    inbox = ledger.inbox_ids()
    assert len(inbox) == len(set(inbox)) == total
    assert set(inbox) == set(written)
    wait_for(lambda: ledger.unsent() == 0, 30, "the outbox to be empty")


def messages(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(1 for record in caplog.records if record.getMessage() == text)


def test_broker_restart_mid_stream(
    ledger: Ledger, workers: Workers, broker: Broker, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING)
    workers.start(ledger)
    writer = Writer(ledger, total=2000, holds=(600, 1300))
    writer.start()
    wait_for(lambda: ledger.effect_count() >= 300, 60, "the stream to flow")

    with broker.stopped():
        # The service keeps working while the broker is away: its events wait in the outbox.
        writer.holds[600].set()
        wait_for(lambda: len(writer.written) >= 1300, 60, "700 writes during the outage")
        time.sleep(2)
    writer.holds[1300].set()  # the rest of the stream is written after the broker is back

    assert_exactly_once(ledger, writer.finish())
    workers.assert_alive()
    assert messages(caplog, "outbox relay could not publish; retrying") >= 1
    assert messages(caplog, "consumer lost the broker; reconnecting") >= 1


def test_consumer_reconnects_and_restarts_mid_stream(
    ledger: Ledger,
    workers: Workers,
    broker: Broker,
    amqp_url: str,
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.WARNING)
    workers.start(ledger, consume=False)  # a second relay: they take turns on the outbox
    consumer = workers.start(ledger, CONSUMER_PREFETCH="50", CONSUMER_BATCH_SIZE="20")
    writer = Writer(ledger, total=1500)
    writer.start()

    # The broker drops the consumer's (and the relay's) connections twice...
    for target in (200, 500):
        wait_for(lambda t=target: ledger.effect_count() >= t, 60, f"{target} effects")
        broker.close_connections(amqp_url, "test: dropped mid-stream")
    # ...then the consumer process stops (unacknowledged messages go back) and a new one starts.
    wait_for(lambda: ledger.effect_count() >= 800, 60, "800 effects")
    workers.stop(consumer)
    workers.start(ledger, CONSUMER_PREFETCH="50", CONSUMER_BATCH_SIZE="20")

    assert_exactly_once(ledger, writer.finish())
    workers.assert_alive()
    assert messages(caplog, "consumer lost the broker; reconnecting") >= 2


def test_database_outage_holds_events_instead_of_spending_their_tries(
    ledger: Ledger,
    workers: Workers,
    postgres: Postgres,
    rabbit: Pika,
    caplog: pytest.LogCaptureFixture,
):
    """While the consumer's database is away its events wait; none is dead-lettered."""
    caplog.set_level(logging.WARNING)
    workers.start(ledger, EVENT_DELIVERY_LIMIT="2")
    written = ledger.write(range(50))
    wait_for(lambda: ledger.effect_count() >= 50, 30, "the first 50 effects")

    with postgres.unavailable(ledger.url):
        late = [finalized_envelope(n) for n in range(50, 60)]
        for event in late:
            rabbit.publish(event, FINALIZED)
        # Long enough for the two tries the queue allows, at the consumer's back-off, many times.
        time.sleep(4)
    assert rabbit.count("ledger.events.dead-letter") == 0
    assert messages(caplog, "database unavailable; holding the batch") >= 1
    assert_exactly_once(ledger, written + [event["event_id"] for event in late])
    assert rabbit.count("ledger.events.dead-letter") == 0
    workers.assert_alive()
