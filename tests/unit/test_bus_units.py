"""The bus pieces that need no broker: the envelope, the topology, Outbox.add."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import MetaData, func, select
from sqlalchemy.orm import Session

from chassis.bus import Event, Outgoing, Topology, message_properties
from chassis.db import make_engine
from chassis.logs import correlation_scope
from chassis.outbox import Outbox, outbox_table
from contracts import ContractError, contract, validate_event

FINALIZED = contract("appraisal.appraisal.finalized")

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@given(
    event_type=st.from_regex(r"\A[a-z]{3,8}\.[a-z_]{3,8}\.[a-z]{3,8}ed\Z"),
    data=st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=5),
    correlation_id=st.text(min_size=1, max_size=64),
    version=st.integers(min_value=1, max_value=9),
)
def test_an_event_survives_the_wire(event_type, data, correlation_id, version):
    event = Event(
        type=event_type,
        data=data,
        source=event_type.split(".")[0],
        correlation_id=correlation_id,
        version=version,
    )
    assert Event.from_dict(json.loads(event.to_json())) == event
    assert Event.from_dict(event.to_dict()) == event


def test_a_new_event_has_a_fresh_uuid_and_an_aware_utc_time():
    first = Event(type="a.b.created", data={}, source="a", correlation_id="c")
    second = Event(type="a.b.created", data={}, source="a", correlation_id="c")
    assert first.event_id != second.event_id
    assert uuid.UUID(first.event_id).version == 4
    assert first.occurred.tzinfo is not None
    assert abs((datetime.now(UTC) - first.occurred).total_seconds()) < 60


@pytest.mark.parametrize(
    ("occurred_at", "utc"),
    [
        ("2025-03-03T08:30:00+07:00", datetime(2025, 3, 3, 1, 30, tzinfo=UTC)),  # WIB
        ("2025-03-03T10:30:00+09:00", datetime(2025, 3, 3, 1, 30, tzinfo=UTC)),  # WIT, Sofifi
        ("2025-03-03T01:30:00", datetime(2025, 3, 3, 1, 30, tzinfo=UTC)),  # naive: taken as UTC
    ],
)
def test_occurred_is_in_utc(occurred_at, utc):
    event = Event(type="a.b.c", data={}, source="a", correlation_id="x", occurred_at=occurred_at)
    assert event.occurred == utc
    assert event.occurred.tzinfo == UTC


def test_the_body_is_compact_utf8_json_and_the_properties_follow_the_design():
    event = Event(
        type="recruitment.employee.appointed",
        data={"name": "Siti Nurhaliza Umasugi — Sofifi"},
        source="recruitment",
        correlation_id="req-1",
    )
    outgoing = Outgoing.of(event)
    assert outgoing.body == event.to_json().encode()
    assert "—".encode() in outgoing.body and b", " not in outgoing.body
    properties = message_properties(outgoing)
    assert properties["message_id"] == event.event_id
    assert properties["type"] == "recruitment.employee.appointed"
    assert properties["delivery_mode"] == 2
    assert properties["app_id"] == "recruitment"


def test_from_dict_refuses_an_envelope_without_a_field():
    envelope = FINALIZED.example_envelope()
    del envelope["correlation_id"]
    with pytest.raises(KeyError):
        Event.from_dict(envelope)


# -- topology -----------------------------------------------------------------------------


def test_queue_arguments_make_a_quorum_queue_with_a_delivery_limit_and_dead_letters():
    arguments = Topology(delivery_limit=3).queue_arguments("awards")
    assert arguments == {
        "x-queue-type": "quorum",
        "x-delivery-limit": 2,  # RabbitMQ counts returns: 3 tries = 2 returns
        "x-dead-letter-exchange": "asn.events.dead-letter",
        "x-dead-letter-routing-key": "awards.events",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    assert Topology(delivery_limit=1).queue_arguments("awards")["x-delivery-limit"] == 0


def test_a_service_queue_is_bound_to_each_type_it_handles():
    queue = Topology().service_queue("training", ["b.x.done", "a.y.done"])
    assert queue.name == "training.events"
    assert queue.durable
    assert {b.routing_key for b in queue.bindings} == {"a.y.done", "b.x.done"}
    assert {b.exchange.name for b in queue.bindings} == {"asn.events"}
    assert queue.queue_arguments["x-queue-type"] == "quorum"


CONSUMERS = {
    "training": ("recruitment.employee.appointed", "appraisal.appraisal.finalized"),
    "appraisal": ("recruitment.employee.appointed",),
}


def test_definitions_document_shape():
    topology = Topology(delivery_limit=5)
    document = topology.definitions(CONSUMERS, vhost="asn")
    assert set(document) == {"exchanges", "queues", "bindings"}
    exchanges = {e["name"]: e for e in document["exchanges"]}
    assert exchanges["asn.events"]["type"] == "topic"
    assert exchanges["asn.events.dead-letter"]["type"] == "direct"
    assert all(e["durable"] and not e["auto_delete"] for e in exchanges.values())
    queues = {q["name"]: q for q in document["queues"]}
    assert set(queues) == {
        "appraisal.events",
        "appraisal.events.dead-letter",
        "training.events",
        "training.events.dead-letter",
    }
    assert queues["training.events"]["arguments"] == topology.queue_arguments("training")
    assert queues["training.events.dead-letter"]["arguments"] == {"x-queue-type": "quorum"}
    bound = {(b["source"], b["destination"], b["routing_key"]) for b in document["bindings"]}
    assert bound == {
        ("asn.events", "training.events", "recruitment.employee.appointed"),
        ("asn.events", "training.events", "appraisal.appraisal.finalized"),
        ("asn.events", "appraisal.events", "recruitment.employee.appointed"),
        ("asn.events.dead-letter", "training.events.dead-letter", "training.events"),
        ("asn.events.dead-letter", "appraisal.events.dead-letter", "appraisal.events"),
    }
    every = document["exchanges"] + document["queues"] + document["bindings"]
    assert {item["vhost"] for item in every} == {"asn"}
    for item in document["bindings"]:
        assert item["source"] in exchanges and item["destination"] in queues


def test_definitions_do_not_depend_on_the_order_of_consumers():
    reordered = {name: tuple(reversed(types)) for name, types in reversed(CONSUMERS.items())}
    assert Topology().definitions(CONSUMERS) == Topology().definitions(reordered)
    json.dumps(Topology().definitions(CONSUMERS))  # a plain JSON document


# -- Outbox.add ---------------------------------------------------------------------------


@pytest.fixture
def outbox(tmp_path):
    metadata = MetaData()
    table = outbox_table(metadata)
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    metadata.create_all(engine)
    yield engine, Outbox(table, source="appraisal", validate=validate_event)
    engine.dispose()


def _count(session: Session, outbox: Outbox) -> int:
    return session.scalar(select(func.count()).select_from(outbox.table))


def test_add_writes_one_row_with_the_whole_envelope(outbox):
    engine, box = outbox
    with Session(engine) as session, session.begin():
        event = box.add(session, FINALIZED.type, FINALIZED.example, correlation_id="req-7")
    with Session(engine) as session:
        row = session.execute(select(box.table)).one()
    assert (row.event_id, row.event_type, row.correlation_id) == (
        event.event_id,
        "appraisal.appraisal.finalized",
        "req-7",
    )
    assert row.sent_at is None and row.attempts == 0
    envelope = json.loads(row.envelope)
    validate_event(envelope)
    assert Event.from_dict(envelope) == event
    assert envelope["source"] == "appraisal"


def test_add_takes_the_correlation_id_of_the_work_in_progress(outbox):
    engine, box = outbox
    with correlation_scope("req-from-request"), Session(engine) as session, session.begin():
        event = box.add(session, FINALIZED.type, FINALIZED.example)
    assert event.correlation_id == "req-from-request"


@pytest.mark.parametrize(
    ("event_type", "change", "field"),
    [
        ("appraisal.appraisal.finalized", {"predikat": "LUAR_BIASA"}, "predikat"),
        ("appraisal.appraisal.finalized", {"nip": "123"}, "nip"),
        ("appraisal.appraisal.finalized", {"nik": "8271015504980001"}, "nik"),
        ("appraisal.appraisal.updated", {}, "appraisal.appraisal.updated"),
        ("training.course.completed", {}, "source"),  # not this service's event
    ],
)
def test_add_refuses_an_event_that_breaks_its_contract_and_writes_nothing(
    outbox, event_type, change, field
):
    engine, box = outbox
    with Session(engine) as session, session.begin():
        with pytest.raises(ContractError, match=field):
            box.add(session, event_type, {**FINALIZED.example, **change})
        # Refused before the insert, so even this transaction saw no row.
        assert _count(session, box) == 0


def test_an_event_rolled_back_with_its_transaction_is_gone(outbox):
    engine, box = outbox
    with Session(engine) as session:
        session.begin()
        box.add(session, FINALIZED.type, FINALIZED.example)
        assert _count(session, box) == 1
        session.rollback()
    with Session(engine) as session:
        assert _count(session, box) == 0
