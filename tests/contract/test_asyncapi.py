"""docs/asyncapi.yaml is generated from the catalogue and the service specs, and never drifts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from contracts import CATALOGUE, validate_event
from contracts.asyncapi import build, render
from sofifi.cli import main
from sofifi.registry import SERVICE_NAMES, load_spec

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
CONTRACTS = sorted(CATALOGUE.values(), key=lambda c: c.key)
IDS = [c.message_id for c in CONTRACTS]


@pytest.fixture(scope="module")
def specs():
    """Every service's spec; none is skipped."""
    return [load_spec(name) for name in SERVICE_NAMES]


@pytest.fixture(scope="module")
def consumers(specs) -> dict[str, tuple[str, ...]]:
    return {spec.name: spec.consumes for spec in specs if spec.handlers}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return yaml.safe_load(DOCUMENT.read_text())


def test_the_committed_document_is_what_the_command_generates():
    result = CliRunner().invoke(main, ["asyncapi"])
    assert result.exit_code == 0, result.output
    assert DOCUMENT.exists(), "docs/asyncapi.yaml is missing: run `make docs`"
    assert result.output == DOCUMENT.read_text(), (
        "docs/asyncapi.yaml is stale (the catalogue or a service's handlers changed): "
        "run `make docs` and commit the result"
    )


def test_make_docs_writes_the_same_text(tmp_path):
    target = tmp_path / "asyncapi.yaml"
    result = CliRunner().invoke(main, ["asyncapi", "--write", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text() == CliRunner().invoke(main, ["asyncapi"]).output


def test_the_yaml_reads_back_as_the_document_built(consumers):
    # Catches YAML's surprises: "1.0.0", "yes", "on", patterns with backslashes, long strings.
    assert yaml.safe_load(render(consumers)) == json.loads(json.dumps(build(consumers)))


def test_rendering_is_deterministic(consumers):
    shuffled = {name: tuple(reversed(types)) for name, types in reversed(consumers.items())}
    assert render(consumers) == render(shuffled)
    text = render(consumers)
    assert "&id" not in text and "*id" not in text  # no YAML anchors: every node is spelled out


def test_it_is_an_asyncapi_2_6_document_of_the_events_exchange(document):
    assert document["asyncapi"] == "2.6.0"
    assert {"title", "version", "description"} <= set(document["info"])
    for rule in ("past tense", "new version", "Idempotent consumers", "Dead letters", "Envelope"):
        assert rule.lower() in document["info"]["description"].lower()
    assert document["servers"]["production"]["protocol"] == "amqp"
    assert document["defaultContentType"] == "application/json"


@pytest.mark.parametrize("event_contract", CONTRACTS, ids=IDS)
def test_every_catalogue_contract_is_documented(document, event_contract):
    channel = document["channels"][event_contract.type]
    exchange = channel["bindings"]["amqp"]["exchange"]
    assert channel["bindings"]["amqp"]["is"] == "routingKey"
    assert (exchange["name"], exchange["type"]) == ("asn.events", "topic")
    assert exchange["durable"] is True
    assert channel["x-publisher"] == event_contract.publisher
    message_refs = channel["subscribe"]["message"]
    refs = [m["$ref"] for m in message_refs.get("oneOf", [message_refs])]
    assert f"#/components/messages/{event_contract.message_id}" in refs

    message = document["components"]["messages"][event_contract.message_id]
    assert message["messageId"] == f"{event_contract.type}.v{event_contract.version}"
    assert message["payload"] == json.loads(json.dumps(event_contract.envelope_schema()))
    assert message["bindings"]["amqp"]["messageType"] == event_contract.type
    headers = _resolve(document, message["headers"]["$ref"])
    assert "correlation_id" in headers["required"]
    example = message["examples"][0]
    validate_event(example["payload"])
    assert example["headers"]["correlation_id"] == example["payload"]["correlation_id"]


def test_every_reference_resolves(document):
    refs = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)
    assert refs
    for ref in refs:
        assert _resolve(document, ref) is not None, ref


def test_every_channel_and_message_comes_from_the_catalogue(document):
    assert set(document["channels"]) == {key[0] for key in CATALOGUE}
    assert set(document["components"]["messages"]) == {c.message_id for c in CONTRACTS}


def test_consumers_are_the_services_that_handle_each_type(document, consumers):
    for event_type, channel in document["channels"].items():
        expected = sorted(name for name, types in consumers.items() if event_type in types)
        assert channel["x-consumers"] == expected, event_type


def test_every_consumed_event_type_is_in_the_catalogue(specs):
    known = {key[0] for key in CATALOGUE}
    for spec in specs:
        unknown = set(spec.handlers) - known
        assert not unknown, f"{spec.name} consumes events no contract describes: {unknown}"


def test_every_handler_is_named_after_its_event(specs):
    for spec in specs:
        for event_type, handler in spec.handlers.items():
            _service, entity, verb = event_type.split(".")
            expected = f"handle_{entity}_{verb}"
            assert handler.__name__ == expected, (
                f"{spec.name} handles {event_type} with {handler.__name__}; name it {expected}"
            )


def test_every_service_validates_what_it_consumes(specs):
    for spec in specs:
        if spec.handlers:
            assert spec.validate_event is validate_event, spec.name


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node
