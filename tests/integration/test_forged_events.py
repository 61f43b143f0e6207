"""Forged events against the real broker: each service has its own user (chassis.accounts).

The broker refuses a routing key the user does not own and a `user_id` that is not the user's;
the consumer (training) dead-letters an event whose type belongs to another service than the
broker user that published it, and one whose `occurred_at` is far in the future.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit, urlunsplit

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker
from sqlalchemy import func, select

from chassis.accounts import provision
from chassis.db import make_engine
from chassis.migrations import upgrade
from chassis.testing.plugin import Broker, vhost_of
from chassis.worker import Worker
from sofifi.registry import load_spec
from tests.integration.support import APPOINTED, Pika, appointed_envelope, settings_for, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]

DEAD_LETTERS = "training.events.dead-letter"
FINALIZED = "appraisal.appraisal.finalized"


@pytest.fixture
def accounts(broker: Broker, amqp_url: str) -> Iterator[dict[str, str]]:
    """A broker user per service on the test vhost (a unique prefix: users are broker-wide);
    service -> its AMQP URL."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    vhost = vhost_of(amqp_url)
    urls = {}
    for service in ("recruitment", "appraisal", "training"):
        password = uuid.uuid4().hex
        user = provision(broker.ctl, service, password, "asn.events", prefix=prefix, vhost=vhost)
        parts = urlsplit(amqp_url)
        netloc = f"{quote(user)}:{password}@{parts.hostname}:{parts.port or 5672}"
        urls[service] = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    try:
        yield urls
    finally:
        for service in urls:
            broker.ctl("delete_user", f"{prefix}{service}")


def publish(url: str, envelope: dict, routing_key: str, user_id: str | None = None) -> None:
    """Publish one event as the user of `url`, stamping `user_id` (that user by default)."""
    parameters = pika.URLParameters(url)
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=2,
            message_id=envelope["event_id"],
            type=envelope["type"],
            user_id=user_id or parameters.credentials.username,
        )
        channel.basic_publish("asn.events", routing_key, json.dumps(envelope), properties)
    finally:
        if connection.is_open:
            connection.close()


@pytest.fixture
def training_worker(accounts, postgres_url: str) -> Iterator[Worker]:
    """The real training worker, connected as the training user."""
    spec = load_spec("training")
    upgrade(spec.migrations_dir, postgres_url)
    worker = Worker(spec, settings_for("training", accounts["training"], postgres_url))
    assert worker.senders.per_service
    worker.start()
    try:
        yield worker
    finally:
        worker.shutdown()


def employees(postgres_url: str) -> int:
    table = load_spec("training").metadata.tables["employees"]
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar()
    finally:
        engine.dispose()


def test_the_broker_refuses_a_routing_key_or_user_id_the_user_does_not_own(
    accounts, training_worker
):
    event = appointed_envelope(1)
    # The appraisal user may publish only appraisal.* routing keys (topic permission).
    with pytest.raises(ChannelClosedByBroker) as refused:
        publish(accounts["appraisal"], event, APPOINTED)
    assert refused.value.reply_code == 403  # ACCESS_REFUSED
    # Nor may it claim to be the recruitment user: RabbitMQ validates user_id.
    recruitment_user = pika.URLParameters(accounts["recruitment"]).credentials.username
    with pytest.raises(ChannelClosedByBroker) as refused:
        publish(accounts["appraisal"], event, FINALIZED, recruitment_user)
    assert refused.value.reply_code == 406  # PRECONDITION_FAILED


def test_the_consumer_dead_letters_a_type_its_publisher_does_not_own_and_far_future_times(
    accounts, training_worker, amqp_url, postgres_url
):
    rabbit = Pika(amqp_url)
    try:
        # appraisal may publish appraisal.appraisal.finalized, which the training queue takes:
        # a recruitment.employee.appointed envelope sent under that key is a forgery.
        forged = appointed_envelope(1)
        publish(accounts["appraisal"], forged, FINALIZED)
        # The owner, with a time an hour ahead: would pin the projection for good.
        future = appointed_envelope(2)
        future["occurred_at"] = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        publish(accounts["recruitment"], future, APPOINTED)
        wait_for(lambda: rabbit.count(DEAD_LETTERS) >= 2, 30, "two dead letters")

        genuine = appointed_envelope(3)
        publish(accounts["recruitment"], genuine, APPOINTED)
        wait_for(lambda: employees(postgres_url) == 1, 30, "the genuine event's projection row")
        dead = rabbit.take(DEAD_LETTERS, 2)
    finally:
        rabbit.close()
    assert {seen.properties.message_id for seen in dead} == {
        forged["event_id"],
        future["event_id"],
    }
    assert employees(postgres_url) == 1
