"""The event catalogue: examples validate, broken events are refused with the field named,
and a published schema is never edited (contracts/lock.json)."""

from __future__ import annotations

import ast
import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from contracts import CATALOGUE, ContractError, contract, validate_event
from contracts.base import ENVELOPE_SCHEMA
from contracts.lock import add_missing, problems, read_lock, schema_hash

CONTRACTS = sorted(CATALOGUE.values(), key=lambda c: c.key)
IDS = [c.message_id for c in CONTRACTS]
APPOINTED = contract("recruitment.employee.appointed")


@pytest.mark.parametrize("event_contract", CONTRACTS, ids=IDS)
def test_every_example_is_a_valid_event(event_contract):
    envelope = event_contract.example_envelope()
    validate_event(envelope)
    assert envelope["source"] == event_contract.type.split(".")[0]


@pytest.mark.parametrize("event_contract", CONTRACTS, ids=IDS)
def test_every_example_shows_every_field(event_contract):
    # Examples document the contract: an optional field left out would go undocumented.
    assert set(event_contract.example) == set(event_contract.data["properties"])


@pytest.mark.parametrize("event_contract", CONTRACTS, ids=IDS)
def test_every_type_is_past_tense_and_names_its_publisher(event_contract):
    service, entity, verb = event_contract.type.split(".")
    assert verb.endswith("ed"), f"{event_contract.type}: the verb must be in the past tense"
    assert event_contract.publisher == service
    assert entity


def test_the_catalogue_has_the_events_of_the_design():
    assert {key[0] for key in CATALOGUE} == {
        "recruitment.employee.appointed",
        "recruitment.employee.updated",
        "recruitment.employee.sanctioned",
        "appraisal.appraisal.finalized",
        "training.need.identified",
        "training.course.completed",
        "awards.eligibility.determined",
        "awards.award.granted",
        "awards.award.revoked",
        "feedback.complaint.substantiated",
        "feedback.commendation.recorded",
        "feedback.ikm.published",
    }


def _appointed(**data_changes: Any) -> dict[str, Any]:
    envelope = APPOINTED.example_envelope()
    for name, value in data_changes.items():
        if value is _MISSING:
            del envelope["data"][name]
        else:
            envelope["data"][name] = value
    return envelope


_MISSING = object()


def _refusal(envelope: dict[str, Any]) -> str:
    with pytest.raises(ContractError) as caught:
        validate_event(envelope)
    return str(caught.value)


def test_a_missing_required_field_is_named():
    message = _refusal(_appointed(unit=_MISSING))
    assert message.startswith("data:")
    assert "unit" in message
    assert "name" not in message.replace("unit", "")  # only the missing one is named


def test_a_value_outside_its_enum_is_refused_with_the_field():
    message = _refusal(_appointed(status="HONORER"))
    assert message.startswith("data/status:")
    assert "CPNS" in message  # says what is allowed


@pytest.mark.parametrize(
    "nip",
    [
        "19980421202503200",  # 17 digits
        "199804212025132001",  # TMT month 13
        "199802302025032001",  # 30 February
        "199804212025033001",  # gender 3
        "199804212025032000",  # sequence 000
        "199804212010032001",  # TMT before the 18th birthday
    ],
)
def test_a_bad_nip_is_refused_with_the_field_and_the_rule_it_breaks(nip):
    message = _refusal(_appointed(nip=nip))
    assert message.startswith("data/nip: NIP")


def test_a_bad_nip_in_a_nested_or_nullable_field_is_refused():
    assert _refusal(_appointed(supervisor_nip="123")) == (
        "data/supervisor_nip: NIP must be 18 digits."
    )
    validate_event(_appointed(supervisor_nip=None))  # nullable: top of the hierarchy


def test_an_extra_field_is_refused_and_named():
    message = _refusal(_appointed(nik="8271015504980001"))
    assert message.startswith("data:")
    assert "nik" in message


def test_an_extra_envelope_field_is_refused():
    envelope = _appointed()
    envelope["priority"] = "high"
    message = _refusal(envelope)
    assert message.startswith("(envelope):")
    assert "priority" in message


@pytest.mark.parametrize("value", ["2025-02-30", "01-03-2025", "2025-03-01T00:00:00", "soon"])
def test_a_bad_date_is_refused_with_the_field(value):
    assert _refusal(_appointed(birth_date=value)) == (
        "data/birth_date: must be a date as YYYY-MM-DD"
    )


@pytest.mark.parametrize("value", ["2025-03-03 01:30:00", "2025-03-03T01:30:00", "yesterday"])
def test_occurred_at_needs_an_iso_time_with_offset(value):
    envelope = _appointed()
    envelope["occurred_at"] = value
    assert _refusal(envelope).startswith("occurred_at:")


def test_a_wrong_source_is_refused():
    envelope = _appointed()
    envelope["source"] = "appraisal"
    message = _refusal(envelope)
    assert message.startswith("source:")
    assert "recruitment" in message


def test_an_unknown_version_is_refused():
    envelope = _appointed()
    envelope["version"] = 99
    message = _refusal(envelope)
    assert "version 99" in message
    assert "recruitment.employee.appointed" in message


def test_an_unknown_type_is_refused():
    envelope = _appointed()
    envelope["type"] = "recruitment.employee.hired"
    assert "unknown event 'recruitment.employee.hired'" in _refusal(envelope)


def test_a_broken_envelope_says_what_is_wrong_before_the_type():
    envelope = _appointed()
    del envelope["event_id"]
    envelope["version"] = 7
    assert "event_id" in _refusal(envelope)


@pytest.mark.parametrize("bad", [None, [], "text", 42])
def test_a_message_that_is_not_an_object_is_refused(bad):
    assert "(envelope)" in _refusal(bad)


def test_a_bad_event_id_is_refused():
    envelope = _appointed()
    envelope["event_id"] = "not-a-uuid"
    assert _refusal(envelope).startswith("event_id:")


# -- the lock: changing a schema means a new version, not an edit --------------------------


def test_every_published_schema_is_recorded_and_unchanged():
    found = problems(CATALOGUE, read_lock())
    assert not found, "\n".join(found)


def test_the_lock_refuses_an_edited_schema_and_says_how_to_add_a_version():
    edited = copy.deepcopy(APPOINTED.data)
    edited["properties"]["status"]["enum"].append("HONORER")
    catalogue = {**CATALOGUE, APPOINTED.key: dataclasses.replace(APPOINTED, data=edited)}
    found = problems(catalogue, read_lock())
    assert len(found) == 1
    assert found[0].startswith("recruitment.employee.appointed.v1 was edited")
    assert "new EventContract with version + 1" in found[0]
    assert "python -m contracts.lock --add" in found[0]


def test_the_lock_ignores_mended_descriptions_but_not_a_property_called_description():
    mended = copy.deepcopy(APPOINTED.data)
    mended["properties"]["unit"]["description"] = "The unit's code in the SIMPEG register"
    assert schema_hash(dataclasses.replace(APPOINTED, data=mended)) == schema_hash(APPOINTED)
    added = copy.deepcopy(APPOINTED.data)
    added["properties"]["description"] = {"type": "string"}
    assert schema_hash(dataclasses.replace(APPOINTED, data=added)) != schema_hash(APPOINTED)


def test_a_new_version_is_added_by_the_command_and_the_old_one_stays():
    v2 = dataclasses.replace(APPOINTED, version=2, data=copy.deepcopy(APPOINTED.data))
    catalogue = {**CATALOGUE, v2.key: v2}
    assert problems(catalogue, read_lock()) == [
        "recruitment.employee.appointed.v2 is not recorded yet: run "
        "`python -m contracts.lock --add` and commit contracts/lock.json."
    ]
    updated, added = add_missing(catalogue, read_lock())
    assert added == ["recruitment.employee.appointed.v2"]
    assert problems(catalogue, updated) == []
    assert updated["recruitment.employee.appointed.v1"] == read_lock()[APPOINTED.message_id]


def test_a_published_version_cannot_silently_disappear():
    catalogue = {key: c for key, c in CATALOGUE.items() if c is not APPOINTED}
    found = problems(catalogue, read_lock())
    assert len(found) == 1
    assert "recruitment.employee.appointed.v1 was published but is gone" in found[0]


def test_the_envelope_fields_are_the_design_ones():
    assert ENVELOPE_SCHEMA["required"] == [
        "event_id",
        "type",
        "version",
        "occurred_at",
        "source",
        "correlation_id",
        "data",
    ]


def test_contracts_import_no_service_and_no_chassis():
    # Publishers and consumers both depend on the catalogue, never the other way round.
    modules = sorted(Path(contract.__code__.co_filename).parent.glob("*.py"))
    assert {m.name for m in modules} >= {"__init__.py", "base.py", "asyncapi.py", "lock.py"}
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in {"chassis", "services", "gateway"}, (
                    f"{path.name} imports {name}"
                )
