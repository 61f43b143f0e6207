"""The envelope and the building blocks of every event schema (JSON Schema draft-07)."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

JsonSchema = dict[str, Any]

DIALECT = "http://json-schema.org/draft-07/schema#"

ENVELOPE_SCHEMA: JsonSchema = {
    "$schema": DIALECT,
    "type": "object",
    "additionalProperties": False,
    "required": [
        "event_id",
        "type",
        "version",
        "occurred_at",
        "source",
        "correlation_id",
        "data",
    ],
    "properties": {
        "event_id": {"type": "string", "format": "uuid", "description": "Unique id; dedupe key"},
        "type": {
            "type": "string",
            "pattern": r"^[a-z]+\.[a-z_]+\.[a-z_]+$",
            "description": "<service>.<entity>.<verb in past tense>; also the routing key",
        },
        "version": {
            "type": "integer",
            "minimum": 1,
            "description": "Version of the schema; a changed schema is a new version",
        },
        "occurred_at": {
            "type": "string",
            "format": "date-time",
            "description": "When the change was committed (ISO-8601 with offset, UTC)",
        },
        "source": {"type": "string", "description": "The publishing service"},
        "correlation_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "description": "The request id that caused it, carried on through handlers",
        },
        "data": {"type": "object", "description": "The event's own fields (per type and version)"},
    },
}

NIP: JsonSchema = {
    "type": "string",
    "pattern": "^[0-9]{18}$",
    "format": "nip",
    "description": "18-digit NIP: birth date, TMT CPNS, gender, sequence",
}
# `format` and `pattern` apply to strings only, so null passes and a string is checked in full.
NULLABLE_NIP: JsonSchema = {**NIP, "type": ["string", "null"]}
DATE: JsonSchema = {"type": "string", "format": "date"}
NULLABLE_DATE: JsonSchema = {**DATE, "type": ["string", "null"]}
DATETIME: JsonSchema = {"type": "string", "format": "date-time"}
YEAR: JsonSchema = {"type": "integer", "minimum": 1950, "maximum": 2200}
UNIT: JsonSchema = {"type": "string", "minLength": 1, "maxLength": 64, "description": "Unit code"}
ID: JsonSchema = {"type": "string", "minLength": 1, "maxLength": 64}
RATING: JsonSchema = {"type": "string", "enum": ["DI_ATAS", "SESUAI", "DI_BAWAH"]}
PREDIKAT: JsonSchema = {
    "type": "string",
    "enum": ["SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"],
}
COMPETENCY_TYPE: JsonSchema = {
    "type": "string",
    "enum": ["TEKNIS", "MANAJERIAL", "SOSIAL_KULTURAL"],
}


def record(
    required: dict[str, JsonSchema], optional: dict[str, JsonSchema] | None = None
) -> JsonSchema:
    """An object schema with these required and optional properties and nothing else."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }


# Fixed values for the envelope of examples, so that the AsyncAPI document is reproducible.
EXAMPLE_OCCURRED_AT = "2025-03-03T01:30:00.000000+00:00"
EXAMPLE_CORRELATION_ID = "6d1f0b1c9a8e4f2ab3c4d5e6f7a8b9c0"
_EXAMPLE_NAMESPACE = uuid.UUID("1c0f5a3e-5b7d-4e8a-9c2f-0a1b2c3d4e5f")


@dataclass(frozen=True)
class EventContract:
    """One version of one event type: who publishes it, the schema of its `data`, an example."""

    type: str
    version: int
    summary: str
    data: JsonSchema
    example: dict[str, Any]

    @property
    def publisher(self) -> str:
        return self.type.split(".", 1)[0]

    @property
    def key(self) -> tuple[str, int]:
        return (self.type, self.version)

    @property
    def message_id(self) -> str:
        """`<type>.v<version>`: the name of this version in the AsyncAPI document."""
        return f"{self.type}.v{self.version}"

    def example_envelope(self) -> dict[str, Any]:
        """A complete, valid envelope around `example` (same ids on every call)."""
        return {
            "event_id": str(uuid.uuid5(_EXAMPLE_NAMESPACE, self.message_id)),
            "type": self.type,
            "version": self.version,
            "occurred_at": EXAMPLE_OCCURRED_AT,
            "source": self.publisher,
            "correlation_id": EXAMPLE_CORRELATION_ID,
            "data": copy.deepcopy(self.example),
        }

    def envelope_schema(self) -> JsonSchema:
        """The full message schema: the envelope with this event's type, version and data."""
        schema = {**ENVELOPE_SCHEMA, "properties": dict(ENVELOPE_SCHEMA["properties"])}
        properties = schema["properties"]
        properties["type"] = {**properties["type"], "const": self.type}
        properties["version"] = {**properties["version"], "const": self.version}
        properties["source"] = {**properties["source"], "const": self.publisher}
        schema["properties"]["data"] = self.data
        return schema
