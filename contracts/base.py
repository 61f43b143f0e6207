"""The envelope and the building blocks of every event schema (JSON Schema draft-07)."""

from __future__ import annotations

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
        "version": {"type": "integer", "minimum": 1},
        "occurred_at": {"type": "string", "format": "date-time"},
        "source": {"type": "string", "description": "The publishing service"},
        "correlation_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "description": "The request id that caused it, carried on through handlers",
        },
        "data": {"type": "object"},
    },
}

NIP: JsonSchema = {
    "type": "string",
    "pattern": "^[0-9]{18}$",
    "format": "nip",
    "description": "18-digit NIP: birth date, TMT CPNS, gender, sequence",
}
NULLABLE_NIP: JsonSchema = {"anyOf": [NIP, {"type": "null"}]}
DATE: JsonSchema = {"type": "string", "format": "date"}
NULLABLE_DATE: JsonSchema = {"anyOf": [DATE, {"type": "null"}]}
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


@dataclass(frozen=True)
class EventContract:
    """One version of one event type: who publishes it and the schema of its `data`."""

    type: str
    version: int
    summary: str
    data: JsonSchema

    @property
    def publisher(self) -> str:
        return self.type.split(".", 1)[0]

    @property
    def key(self) -> tuple[str, int]:
        return (self.type, self.version)

    def envelope_schema(self) -> JsonSchema:
        """The full message schema: the envelope with this event's type, version and data."""
        schema = {**ENVELOPE_SCHEMA, "properties": dict(ENVELOPE_SCHEMA["properties"])}
        schema["properties"]["type"] = {"const": self.type}
        schema["properties"]["version"] = {"const": self.version}
        schema["properties"]["source"] = {"const": self.publisher}
        schema["properties"]["data"] = self.data
        return schema
