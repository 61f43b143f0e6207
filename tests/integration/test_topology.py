"""The topology as the real broker holds it: quorum queues, delivery limit, dead-lettering."""

from __future__ import annotations

import pika
import pika.exceptions
import pytest

from chassis.bus import Topology, connect
from chassis.testing.plugin import Broker, vhost_of
from tests.integration.support import APPOINTED, FINALIZED, Pika

pytestmark = pytest.mark.broker

CONSUMERS = {
    "appraisal": ["recruitment.employee.appointed", "recruitment.employee.updated"],
    "training": ["recruitment.employee.appointed", FINALIZED],
}


def declare(amqp_url: str, topology: Topology) -> None:
    connection = connect(amqp_url)
    try:
        topology.declare(connection, CONSUMERS)
    finally:
        connection.release()


def test_queues_are_quorum_with_limit_and_dead_letter_exchange(broker: Broker, amqp_url: str):
    topology = Topology(delivery_limit=4)
    declare(amqp_url, topology)
    first = (broker.queues(amqp_url), broker.bindings(amqp_url))
    declare(amqp_url, topology)  # idempotent: nothing new, nothing refused
    queues, bindings = broker.queues(amqp_url), broker.bindings(amqp_url)
    assert (queues, bindings) == first

    assert set(queues) == {
        "appraisal.events",
        "appraisal.events.dead-letter",
        "training.events",
        "training.events.dead-letter",
    }
    for service in CONSUMERS:
        queue = queues[f"{service}.events"]
        assert queue["type"] == "quorum"
        assert queue["durable"] == "true"
        arguments = queue["arguments"]
        assert '{"x-delivery-limit",3}' in arguments  # 4 tries = 3 returns (see Topology)
        assert '{"x-dead-letter-exchange","asn.events.dead-letter"}' in arguments
        assert f'{{"x-dead-letter-routing-key","{service}.events"}}' in arguments
        assert '{"x-dead-letter-strategy","at-least-once"}' in arguments
        assert queues[f"{service}.events.dead-letter"]["type"] == "quorum"

    assert bindings == {
        *{("asn.events", f"{s}.events", t) for s, types in CONSUMERS.items() for t in types},
        *{
            (
                "asn.events.dead-letter",
                f"{s}.events.dead-letter",
                f"{s}.events",
            )
            for s in CONSUMERS
        },
    }
    # What the broker holds is what the definitions document (deploy/rabbitmq) describes.
    document = topology.definitions(CONSUMERS, vhost=vhost_of(amqp_url))
    assert {q["name"] for q in document["queues"]} == set(queues)
    assert {(b["source"], b["destination"], b["routing_key"]) for b in document["bindings"]} == (
        bindings
    )


def test_broker_refuses_a_queue_with_other_arguments(amqp_url: str):
    """pika re-declares the queue: the same arguments are accepted, different ones refused."""
    topology = Topology(delivery_limit=4)
    declare(amqp_url, topology)
    client = Pika(amqp_url)
    try:
        arguments = topology.queue_arguments("appraisal")
        client.channel.queue_declare("appraisal.events", durable=True, arguments=arguments)
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            client.channel.queue_declare(
                "appraisal.events", durable=True, arguments={**arguments, "x-delivery-limit": 9}
            )
        assert refused.value.reply_code == 406  # PRECONDITION_FAILED: not the queue we have
    finally:
        client.close()


def test_events_are_routed_by_type(rabbit: Pika, amqp_url: str):
    declare(amqp_url, Topology())
    rabbit.publish(b"{}", APPOINTED, message_id="to-both")
    rabbit.publish(b"{}", FINALIZED, message_id="to-training")
    rabbit.publish(b"{}", "awards.award.granted", message_id="to-nobody")
    appraisal = rabbit.take("appraisal.events", 1)
    training = rabbit.take("training.events", 2)
    assert [m.properties.message_id for m in appraisal] == ["to-both"]
    assert sorted(m.properties.message_id for m in training) == ["to-both", "to-training"]
    assert rabbit.count("appraisal.events") == rabbit.count("training.events") == 0
