"""Batch handlers, `Outbox.add_many` and the per-batch "event handled" lines of the consumer."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from kombu import Connection
from sqlalchemy import MetaData, create_engine, func, select
from sqlalchemy.orm import Session

from chassis.bus import Event, Outgoing, Topology, message_properties
from chassis.inbox import EventConsumer, handles_batches, inbox_table
from chassis.logs import current_correlation_id
from chassis.outbox import Outbox, outbox_table
from contracts import ContractError, contract, validate_event

APPOINTED = contract("recruitment.employee.appointed")
UPDATED = contract("recruitment.employee.updated")
NEED = contract("training.need.identified")


@pytest.fixture
def service(tmp_path):
    metadata = MetaData()
    outbox = Outbox(outbox_table(metadata), source="training", validate=validate_event)
    inbox = inbox_table(metadata)
    engine = create_engine(f"sqlite:///{tmp_path / 'training.db'}")
    metadata.create_all(engine)
    yield engine, outbox, inbox
    engine.dispose()


def event(spec, n: int, correlation_id: str) -> Event:
    return Event(spec.type, spec.example, spec.publisher, correlation_id, event_id=_id(n))


def _id(n: int) -> str:
    return str(uuid.UUID(int=n))


def consume(engine, inbox, handlers, events: list[Event]) -> list[str]:
    """Hand `events` to a consumer as one batch from kombu's memory transport; their fates."""
    connection = Connection("memory://")
    queue = connection.SimpleQueue(f"batches-{uuid.uuid4().hex}")
    for item in events:
        properties = message_properties(Outgoing.of(item))
        queue.put(
            item.to_json(),
            serializer=None,
            content_type="application/json",
            headers={"correlation_id": item.correlation_id},
            **properties,
        )
    messages = [queue.get(timeout=1) for _ in events]
    consumer = EventConsumer(
        service="training",
        engine=engine,
        inbox=inbox,
        handlers=handlers,
        topology=Topology(),
        connection_factory=lambda: Connection("memory://"),
        validate=validate_event,
    )
    consumer._return_for_retry = lambda failed: [m.requeue() for m in failed]  # no back-off
    consumer.handle_batch(messages)
    queue.close()
    connection.release()
    return [message._state for message in messages]


def test_a_batch_handler_gets_each_run_of_its_type_in_one_call_in_order(service):
    engine, _outbox, inbox = service
    calls: list[tuple[str, list[str]]] = []

    @handles_batches
    def handle_appointed(session, events):
        calls.append(("appointed", [e.event_id for e in events]))

    def handle_updated(session, one):
        calls.append(("updated", [one.event_id]))

    batch = [
        event(APPOINTED, 1, "a"),
        event(APPOINTED, 2, "b"),
        event(UPDATED, 3, "c"),
        event(APPOINTED, 4, "d"),
        event(APPOINTED, 5, "e"),
    ]
    handlers = {APPOINTED.type: handle_appointed, UPDATED.type: handle_updated}
    assert consume(engine, inbox, handlers, batch) == ["ACK"] * 5
    assert calls == [
        ("appointed", [_id(1), _id(2)]),
        ("updated", [_id(3)]),
        ("appointed", [_id(4), _id(5)]),
    ]
    with engine.connect() as db:
        assert db.execute(select(func.count()).select_from(inbox)).scalar_one() == 5


def test_a_failing_batch_handler_is_retried_one_event_at_a_time(service):
    engine, outbox, inbox = service
    sizes: list[int] = []

    @handles_batches
    def handle_appointed(session, events):
        sizes.append(len(events))
        if any(e.event_id == _id(2) for e in events):
            raise RuntimeError("this one event cannot be handled")
        outbox.add_many(session, NEED.type, [(NEED.example, e.correlation_id) for e in events])

    batch = [event(APPOINTED, n, f"corr-{n}") for n in (1, 2, 3)]
    fates = consume(engine, inbox, {APPOINTED.type: handle_appointed}, batch)
    assert fates == ["ACK", "REQUEUED", "ACK"]
    assert sizes == [3, 1, 1, 1]
    with engine.connect() as db:
        handled = set(db.execute(select(inbox.c.event_id)).scalars())
        published = db.execute(select(outbox.table.c.correlation_id)).scalars().all()
    assert handled == {_id(1), _id(3)}
    assert sorted(published) == ["corr-1", "corr-3"]


def test_a_handled_batch_logs_one_line_per_correlation_id_naming_its_events(service, caplog):
    engine, _outbox, inbox = service
    batch = [
        event(APPOINTED, 1, "req-1"),
        event(APPOINTED, 2, "req-2"),
        event(APPOINTED, 3, "req-1"),
    ]
    records = RecordsWithCorrelation()
    logger = logging.getLogger("chassis.inbox")
    logger.addHandler(records)
    try:
        with caplog.at_level(logging.INFO, logger="chassis.inbox"):
            consume(engine, inbox, {APPOINTED.type: lambda session, one: None}, batch)
    finally:
        logger.removeHandler(records)
    lines = {cid: r for cid, r in records.seen if r.getMessage() == "event handled"}
    assert set(lines) == {"req-1", "req-2"}
    assert lines["req-1"].event_ids == [_id(1), _id(3)]
    assert lines["req-2"].event_ids == [_id(2)]
    assert lines["req-1"].event_types == [APPOINTED.type]


class RecordsWithCorrelation(logging.Handler):
    """Keeps each record with the correlation id in force when it was logged."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[tuple[str | None, logging.LogRecord]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((current_correlation_id(), record))


def test_a_duplicate_is_not_logged_as_handled(service, caplog):
    engine, _outbox, inbox = service
    handlers = {APPOINTED.type: lambda session, one: None}
    consume(engine, inbox, handlers, [event(APPOINTED, 1, "first")])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="chassis.inbox"):
        consume(engine, inbox, handlers, [event(APPOINTED, 1, "again")])
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["duplicate event ignored"]


def test_add_many_writes_one_row_per_item_with_its_correlation_id(service):
    engine, outbox, _inbox = service
    items = [({**NEED.example, "nip": "199001152015031001"}, "req-1"), (NEED.example, None)]
    with Session(engine) as session, session.begin():
        events = outbox.add_many(session, NEED.type, items)
    with engine.connect() as db:
        rows = db.execute(select(outbox.table).order_by(outbox.table.c.id)).all()
    assert [row.event_id for row in rows] == [e.event_id for e in events]
    assert rows[0].correlation_id == "req-1"
    assert rows[1].correlation_id == events[1].correlation_id != "req-1"
    assert json.loads(rows[0].envelope)["data"]["nip"] == "199001152015031001"


def test_add_many_refuses_the_lot_when_one_breaks_its_contract(service):
    engine, outbox, _inbox = service
    with pytest.raises(ContractError), Session(engine) as session, session.begin():
        outbox.add_many(session, NEED.type, [(NEED.example, "ok"), ({"nip": "1"}, "bad")])
    with engine.connect() as db:
        assert db.execute(select(func.count()).select_from(outbox.table)).scalar_one() == 0
