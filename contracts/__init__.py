"""The event catalogue: every event type and version the platform publishes, and its schema.

Schemas are JSON Schema (draft-07, the dialect AsyncAPI 2 embeds), compiled once per process
with fastjsonschema: checking an event costs tens of microseconds, so publishers check what they
write and consumers what they read, on every event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

import fastjsonschema

from contracts import appraisal, awards, feedback, recruitment, training
from contracts.base import ENVELOPE_SCHEMA, NIP, EventContract
from contracts.identifiers import is_valid_nip, nip_problem

__all__ = ["CATALOGUE", "ContractError", "EventContract", "contract", "validate_event"]

CATALOGUE: dict[tuple[str, int], EventContract] = {
    c.key: c
    for module in (recruitment, appraisal, training, awards, feedback)
    for c in module.CONTRACTS
}

_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class ContractError(ValueError):
    """An event that does not match its contract; says where and why."""


def contract(event_type: str, version: int = 1) -> EventContract:
    """The contract of `event_type` at `version` (raises ContractError if unknown)."""
    try:
        return CATALOGUE[(event_type, version)]
    except KeyError:
        raise ContractError(f"unknown event {event_type!r} version {version!r}") from None


def _is_date(value: str) -> bool:
    try:
        return len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _is_datetime(value: str) -> bool:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value and moment.tzinfo is not None


FORMATS: dict[str, Any] = {
    "nip": is_valid_nip,
    "date": _is_date,
    "date-time": _is_datetime,
    "uuid": _UUID,
}


@cache
def _validator(key: tuple[str, int] | None) -> Callable[[Any], Any]:
    schema = ENVELOPE_SCHEMA if key is None else CATALOGUE[key].envelope_schema()
    return fastjsonschema.compile(schema, formats=FORMATS)


def validate_event(envelope: Mapping[str, Any]) -> None:
    """Check an envelope and its data against the catalogue; raises ContractError."""
    if not isinstance(envelope, Mapping):
        raise ContractError("(envelope): must be a JSON object")
    key = (envelope.get("type"), envelope.get("version"))
    if key not in CATALOGUE:
        _check(_validator(None), envelope)  # says what is wrong with the envelope, if anything
        raise ContractError(f"unknown event {key[0]!r} version {key[1]!r}")
    _check(_validator(key), envelope)


def _check(validator: Callable[[Any], Any], envelope: Mapping[str, Any]) -> None:
    try:
        validator(envelope)
    except fastjsonschema.JsonSchemaValueException as exc:
        where = "/".join(str(part) for part in exc.path[1:]) or "(envelope)"
        raise ContractError(f"{where}: {_reason(exc)}") from None


_FORMAT_REASONS = {
    "date": "must be a date as YYYY-MM-DD",
    "date-time": "must be an ISO-8601 date and time with a UTC offset",
    "uuid": "must be a UUID",
}


def _reason(exc: fastjsonschema.JsonSchemaValueException) -> str:
    if (exc.rule, exc.rule_definition) in (("format", "nip"), ("pattern", NIP["pattern"])):
        return nip_problem(exc.value) or "must be a NIP"
    if exc.rule == "format" and exc.rule_definition in _FORMAT_REASONS:
        return _FORMAT_REASONS[exc.rule_definition]
    return exc.message.split(" ", 1)[1] if " " in exc.message else exc.message
