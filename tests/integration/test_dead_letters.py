"""Dead letters: a failing handler's event ends there after the limit, and comes back by command."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.db import make_engine
from chassis.migrations import upgrade
from chassis.testing.plugin import Broker
from chassis.worker import Worker
from sofifi.registry import load_spec
from tests.integration.support import APPOINTED, Pika, appointed_envelope, settings_for, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]

SOFIFI = str(Path(sys.executable).parent / "sofifi")
LIMIT = 3
DEAD_LETTER_QUEUE = "appraisal.events.dead-letter"


def sofifi(amqp_url: str, *args: str) -> subprocess.CompletedProcess:
    """The real console command, pointed at the test vhost."""
    env = {**os.environ, "AMQP_URL": amqp_url, "EVENT_DELIVERY_LIMIT": str(LIMIT)}
    return subprocess.run(
        [SOFIFI, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def listed(amqp_url: str) -> dict[str, dict]:
    """`sofifi dead-letters list appraisal --json`, by event id."""
    result = sofifi(amqp_url, "dead-letters", "list", "appraisal", "--json")
    assert result.returncode == 0, result.stderr
    letters = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return {letter["event_id"]: letter for letter in letters}


def test_failing_handler_dead_letters_and_replay(
    amqp_url: str, postgres_url: str, rabbit: Pika, broker: Broker
):
    spec = load_spec("appraisal")
    upgrade(spec.migrations_dir, postgres_url)
    engine = make_engine(postgres_url)
    calls: list[float] = []

    def always_fails(session: Session, event: Event) -> None:
        calls.append(time.monotonic())
        raise RuntimeError("the handler is broken")

    settings = settings_for("appraisal", amqp_url, postgres_url, EVENT_DELIVERY_LIMIT=str(LIMIT))
    broken = Worker(replace(spec, handlers={**spec.handlers, APPOINTED: always_fails}), settings)
    broken.start()
    try:
        event = appointed_envelope(7, correlation_id="dead-letter-test-1")
        rabbit.publish(event, APPOINTED)
        # Two messages that can never be handled: not JSON, and JSON that breaks its contract.
        rabbit.publish(b"{not json", APPOINTED, message_id="bad-json", event_type=APPOINTED)
        wrong = {**appointed_envelope(8), "data": {"nip": "123"}}
        rabbit.publish(wrong, APPOINTED)
        wait_for(lambda: rabbit.count(DEAD_LETTER_QUEUE) >= 3, 30, "three dead letters")
    finally:
        broken.shutdown()

    assert len(calls) == LIMIT  # tried exactly EVENT_DELIVERY_LIMIT times
    gaps = [later - earlier for earlier, later in itertools.pairwise(calls)]
    # It backed off between tries, longer each time (0.1 s, then 0.2 s, ...).
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19, gaps

    letters = listed(amqp_url)
    assert set(letters) == {event["event_id"], "bad-json", wrong["event_id"]}
    assert letters[event["event_id"]]["reason"] == "delivery_limit"
    assert letters[event["event_id"]]["correlation_id"] == "dead-letter-test-1"
    assert letters[event["event_id"]]["event_type"] == APPOINTED
    assert letters["bad-json"]["reason"] == "rejected"  # at once, not after the limit
    assert letters[wrong["event_id"]]["reason"] == "rejected"
    assert set(listed(amqp_url)) == set(letters)  # listing leaves them where they are

    fixed = Worker(spec, settings)  # the consumer restarted with its real, working handlers
    fixed.start()
    try:
        result = sofifi(
            amqp_url, "dead-letters", "replay", "appraisal", "--event-id", event["event_id"]
        )
        assert result.returncode == 0, result.stderr
        assert f"replayed {event['event_id']}" in result.stdout

        nip = event["data"]["nip"]
        table = spec.metadata.tables["employees"]
        count = select(func.count()).select_from(table).where(table.c.nip == nip)
        with engine.connect() as connection:
            wait_for(lambda: connection.execute(count).scalar() == 1, 30, "the projection row")
        # Replayed once more by mistake (it is no longer there) or redelivered: nothing changes.
        again = sofifi(
            amqp_url, "dead-letters", "replay", "appraisal", "--event-id", event["event_id"]
        )
        assert again.returncode == 1
        assert "not found" in again.stderr
        rabbit.publish(event, APPOINTED)
        settled = lambda: broker.queues(amqp_url)["appraisal.events"]["messages"] == "0"  # noqa: E731
        wait_for(settled, 30, "the redelivered event to be acknowledged")
    finally:
        fixed.shutdown()

    inbox = spec.inbox
    with engine.connect() as connection:
        assert connection.execute(count).scalar() == 1
        ids = connection.execute(select(inbox.c.event_id)).scalars().all()
        name = connection.execute(select(table.c.name).where(table.c.nip == nip)).scalar()
    assert ids == [event["event_id"]]
    assert name == event["data"]["name"]
    assert set(listed(amqp_url)) == {"bad-json", wrong["event_id"]}
    engine.dispose()
