"""deploy/rabbitmq/definitions.json is what the code declares, and what compose loads.

The file is generated (`make docs`); these tests fail when it drifts from the code, and check on
the real broker that the topology the file describes and the one every worker declares at start
are the same (a queue declared twice with other arguments is refused by RabbitMQ).
"""

from __future__ import annotations

import base64
import importlib.util
import json
from pathlib import Path

import pika
import pytest
from click.testing import CliRunner

from chassis.bus import connect
from chassis.config import Settings
from chassis.worker import topology_for
from sofifi.cli import main
from sofifi.registry import SERVICE_NAMES, load_spec

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "deploy/rabbitmq/definitions.json"
# DESIGN.md section 1, and recruitment since issue 10 (Latsar completions gate CPNS -> PNS).
CONSUMERS = {"recruitment", "appraisal", "training", "awards", "feedback"}


def generated() -> str:
    """What `sofifi topology definitions` prints with the default settings."""
    env = {"EVENT_EXCHANGE": None, "EVENT_DELIVERY_LIMIT": None}
    result = CliRunner(env=env).invoke(main, ["topology", "definitions"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def consumers() -> dict[str, tuple[str, ...]]:
    specs = [load_spec(name) for name in SERVICE_NAMES]
    return {spec.name: spec.consumes for spec in specs if spec.handlers}


def test_definitions_file_is_what_the_code_generates():
    assert DEFINITIONS.read_text() == generated(), (
        "deploy/rabbitmq/definitions.json is out of date with the code: run `make docs` "
        "and commit the result"
    )


def test_every_consuming_service_has_its_queue_and_dead_letter_queue():
    document = json.loads(DEFINITIONS.read_text())
    assert set(consumers()) == CONSUMERS
    queues = {queue["name"]: queue["arguments"] for queue in document["queues"]}
    expected = {f"{name}.events" for name in CONSUMERS} | {
        f"{name}.events.dead-letter" for name in CONSUMERS
    }
    assert set(queues) == expected
    for name in CONSUMERS:
        arguments = queues[f"{name}.events"]
        assert arguments["x-queue-type"] == "quorum"
        assert arguments["x-delivery-limit"] > 0
        assert arguments["x-dead-letter-exchange"] == "asn.events.dead-letter"
        bound = {
            binding["routing_key"]
            for binding in document["bindings"]
            if binding["source"] == "asn.events" and binding["destination"] == f"{name}.events"
        }
        assert bound == set(load_spec(name).consumes)


@pytest.mark.broker
def test_the_file_and_the_workers_declare_the_same_topology(broker, amqp_url):
    """Declare the file's objects with pika, then the workers' topology with kombu: no conflict."""
    document = json.loads(DEFINITIONS.read_text())
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        for exchange in document["exchanges"]:
            channel.exchange_declare(exchange["name"], exchange["type"], durable=True)
        for queue in document["queues"]:
            channel.queue_declare(queue["name"], durable=True, arguments=queue["arguments"])
        for binding in document["bindings"]:
            channel.queue_bind(binding["destination"], binding["source"], binding["routing_key"])
    finally:
        connection.close()

    settings = Settings.from_env("gateway", {"AMQP_URL": amqp_url})
    with connect(amqp_url) as kombu_connection:
        # Raises (PRECONDITION_FAILED) if any queue's arguments differ from the file's.
        topology_for(settings).declare(kombu_connection, consumers())

    assert set(broker.queues(amqp_url)) == {queue["name"] for queue in document["queues"]}
    assert broker.bindings(amqp_url) == {
        (binding["source"], binding["destination"], binding["routing_key"])
        for binding in document["bindings"]
    }


def _loader():
    path = ROOT / "deploy/rabbitmq/load_definitions.py"
    spec = importlib.util.spec_from_file_location("load_definitions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_compose_loader_posts_to_the_management_api_of_the_amqp_url():
    loader = _loader()
    body = DEFINITIONS.read_bytes()
    request = loader.import_request("amqp://sofifi:p%40ss%3Aword@rabbitmq:5672//", body)
    assert request.get_method() == "POST"
    assert request.full_url == "http://rabbitmq:15672/api/definitions"
    assert request.data == body
    scheme, _, token = request.get_header("Authorization").partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(token).decode() == "sofifi:p@ss:word"
    with pytest.raises(ValueError, match="user and a password"):
        loader.import_request("amqp://rabbitmq:5672//", body)
