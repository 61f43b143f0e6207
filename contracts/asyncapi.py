"""The AsyncAPI 2.6.0 document of the event catalogue (docs/asyncapi.yaml, `sofifi asyncapi`).

Built from the catalogue alone, plus the map of consumers that the caller reads from the
service specs (contracts never import a service), and rendered deterministically: the same
catalogue and consumers always give the same bytes, so a test can catch a stale document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from contracts import CATALOGUE
from contracts.base import ENVELOPE_SCHEMA, EventContract

ASYNCAPI_VERSION = "2.6.0"
DOCUMENT_VERSION = "1.0.0"
EXCHANGE = "asn.events"
DEAD_LETTER_EXCHANGE = f"{EXCHANGE}.dead-letter"
AMQP_BINDING_VERSION = "0.3.0"
SCHEMA_FORMAT = "application/schema+json;version=draft-07"

DESCRIPTION = f"""\
Every event of the Sofifi ASN platform (Pemerintah Provinsi Maluku Utara): what each service
publishes, the schema of every version, and who consumes it.

## Envelope

Each message body is one JSON object (`application/json`, UTF-8):

| field | meaning |
|---|---|
| `event_id` | UUID; the consumers' deduplication key (also the AMQP `message_id`) |
| `type` | `<service>.<entity>.<verb in past tense>`; also the routing key and the AMQP `type` |
| `version` | version of the schema of `data` |
| `occurred_at` | ISO-8601 time with offset (UTC) at which the change was committed |
| `source` | the publishing service (also the AMQP `app_id`) |
| `correlation_id` | the request id behind it, passed on to the events its handlers cause |
| `data` | the event's own fields, as the schema of its type and version says |

Messages are persistent (`delivery_mode` 2) and carry the correlation id in the AMQP header
`correlation_id` too.

## Exchange and queues

All events go to the durable topic exchange `{EXCHANGE}` with the event type as routing key.
Each consuming service has one durable quorum queue `<service>.events`, bound to the types
it handles (`x-consumers` on each channel), with a delivery limit and the dead-letter
exchange `{DEAD_LETTER_EXCHANGE}`, which routes to `<service>.events.dead-letter`.

## Rules

- **Past tense.** A type names a fact that has happened (`finalized`, `appointed`), never a
  command; the publisher owns the fact and every consumer decides what it means for itself.
- **Versions, not edits.** A published schema is never changed: a change is a new version,
  published beside the old one until every consumer reads the new one. `contracts/lock.json`
  records a hash of every published schema and a test refuses an edit
  (`python -m contracts.lock --add` records a new version).
- **Transactional outbox.** An event is written in the same database transaction as the
  change it reports and relayed with publisher confirms: at least once, in commit order.
- **Idempotent consumers.** A consumer records the `event_id` in the same transaction as the
  effect, so a redelivered event changes nothing.
- **Dead letters.** A handler that keeps failing is retried until the queue's delivery limit
  (`EVENT_DELIVERY_LIMIT`), then the event moves to `<service>.events.dead-letter`; a message
  that is not a valid event of the catalogue goes there at once. Operators list and replay
  them with `sofifi dead-letters list|replay <service>`.
- **Personal data.** No event carries a NIK, a citizen reporter's identity or a report's text.
"""

HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["correlation_id"],
    "properties": {
        "correlation_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "description": "Same as the envelope's correlation_id",
        }
    },
}


def render(consumers: Mapping[str, Iterable[str]]) -> str:
    """The AsyncAPI document as YAML; `consumers` maps each service to the types it consumes."""
    # A JSON round trip gives every node its own object, so YAML writes no anchors or aliases.
    document = json.loads(json.dumps(build(consumers)))
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )


def build(consumers: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    """The AsyncAPI document as plain data."""
    by_type: dict[str, list[EventContract]] = {}
    for contract in CATALOGUE.values():  # catalogue order: by publisher, roster first
        by_type.setdefault(contract.type, []).append(contract)
    for versions in by_type.values():
        versions.sort(key=lambda c: c.version)
    readers: dict[str, list[str]] = {event_type: [] for event_type in by_type}
    for service in sorted(consumers):
        for event_type in set(consumers[service]):
            if event_type in readers:
                readers[event_type].append(service)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:sofifi-asn:events",
        "info": {
            "title": "Sofifi ASN platform events",
            "version": DOCUMENT_VERSION,
            "description": DESCRIPTION,
        },
        "servers": {
            "production": {
                "url": "rabbitmq:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The platform's RabbitMQ (AMQP_URL; `rabbitmq` in docker compose).",
            }
        },
        "defaultContentType": "application/json",
        "channels": {
            event_type: _channel(versions, readers[event_type])
            for event_type, versions in by_type.items()
        },
        "components": {
            "schemas": {"envelope": ENVELOPE_SCHEMA, "headers": HEADERS_SCHEMA},
            "messages": {
                contract.message_id: _message(contract)
                for versions in by_type.values()
                for contract in versions
            },
        },
    }


def _channel(versions: list[EventContract], consumers: list[str]) -> dict[str, Any]:
    latest = versions[-1]
    refs = [{"$ref": f"#/components/messages/{c.message_id}"} for c in versions]
    readers = ", ".join(consumers) if consumers else "no service yet"
    return {
        "description": f"{latest.summary} Routing key `{latest.type}` on `{EXCHANGE}`.",
        "x-publisher": latest.publisher,
        "x-consumers": consumers,
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": EXCHANGE,
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
        "subscribe": {
            "operationId": _operation_id(latest.type),
            "summary": latest.summary,
            "description": (
                f"Published by {latest.publisher} through its transactional outbox; "
                f"consumed by {readers}."
            ),
            "tags": [{"name": latest.publisher}],
            "bindings": {
                "amqp": {
                    "deliveryMode": 2,
                    "timestamp": True,
                    "ack": True,
                    "bindingVersion": AMQP_BINDING_VERSION,
                }
            },
            "message": refs[0] if len(refs) == 1 else {"oneOf": refs},
        },
    }


def _message(contract: EventContract) -> dict[str, Any]:
    example = contract.example_envelope()
    return {
        "messageId": contract.message_id,
        "name": contract.type,
        "title": f"{contract.type} version {contract.version}",
        "summary": contract.summary,
        "contentType": "application/json",
        "schemaFormat": SCHEMA_FORMAT,
        "correlationId": {
            "description": "The request id that caused the event",
            "location": "$message.header#/correlation_id",
        },
        "headers": {"$ref": "#/components/schemas/headers"},
        "payload": contract.envelope_schema(),
        "bindings": {
            "amqp": {
                "contentEncoding": "utf-8",
                "messageType": contract.type,
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
        "examples": [
            {
                "name": "example",
                "summary": f"A {contract.type} version {contract.version} event",
                "headers": {"correlation_id": example["correlation_id"]},
                "payload": example,
            }
        ],
    }


def _operation_id(event_type: str) -> str:
    words = event_type.replace("_", ".").split(".")
    return "on" + "".join(word.capitalize() for word in words)


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings as literal blocks, readable in review."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
