"""An idle relay sleeps until a writer's commit wakes it: NOTIFY on PostgreSQL, the file on
SQLite; never on a rollback, and never later than the idle interval."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import MetaData, event
from sqlalchemy.orm import Session

from chassis.db import make_engine
from chassis.outbox import Outbox, OutboxRelay, outbox_table
from chassis.wakeup import Backoff, FileWatch, Listen, wakeup_for
from contracts import contract, validate_event

FINALIZED = contract("appraisal.appraisal.finalized")


def _outbox(url: str):
    metadata = MetaData()
    outbox = Outbox(outbox_table(metadata), source="appraisal", validate=validate_event)
    engine = make_engine(url)
    metadata.create_all(engine)
    return engine, outbox


def _write_later(engine, outbox, delay: float, commit: bool = True) -> threading.Thread:
    def write() -> None:
        time.sleep(delay)
        with Session(engine) as session:
            outbox.add(session, FINALIZED.type, FINALIZED.example)
            session.commit() if commit else session.rollback()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def _time_idle(wakeup, stop=None) -> float:
    began = time.monotonic()
    wakeup.idle(stop or threading.Event())
    return time.monotonic() - began


def test_the_right_wakeup_per_database(tmp_path):
    assert isinstance(
        wakeup_for(make_engine(f"sqlite:///{tmp_path}/a.db"), "a", 0.05, 2), FileWatch
    )
    assert isinstance(wakeup_for(make_engine("sqlite://"), "a", 0.05, 2), Backoff)


def test_sqlite_a_commit_wakes_the_relay_and_silence_lasts_the_idle_interval(tmp_path):
    engine, outbox = _outbox(f"sqlite:///{tmp_path}/appraisal.db")
    wakeup = wakeup_for(engine, "appraisal", 0.05, 3.0)
    writer = _write_later(engine, outbox, 0.3)
    assert 0.25 < _time_idle(wakeup) < 1.5
    writer.join()
    assert 2.5 < _time_idle(wakeup) < 4.5  # nothing new: the whole idle interval


def test_a_stop_ends_any_wait_at_once(tmp_path):
    engine, _ = _outbox(f"sqlite:///{tmp_path}/appraisal.db")
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    assert _time_idle(wakeup_for(engine, "appraisal", 0.05, 30.0), stop) < 1.0


@pytest.mark.postgres
def test_postgres_a_commit_notifies_the_relay_and_a_rollback_does_not(postgres_url):
    engine, outbox = _outbox(postgres_url)
    wakeup = wakeup_for(engine, "appraisal", 0.05, 3.0)
    assert isinstance(wakeup, Listen) and wakeup.connection is not None
    try:
        writer = _write_later(engine, outbox, 0.3)
        assert 0.25 < _time_idle(wakeup) < 1.5
        writer.join()
        writer = _write_later(engine, outbox, 0.3, commit=False)
        assert _time_idle(wakeup) > 2.5  # the rolled-back event woke nobody
        writer.join()
    finally:
        wakeup.close()


@pytest.mark.postgres
def test_postgres_one_notify_per_transaction(postgres_url):
    engine, outbox = _outbox(postgres_url)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with Session(engine) as session, session.begin():
        for _ in range(5):
            outbox.add(session, FINALIZED.type, FINALIZED.example)
        outbox.add_many(session, FINALIZED.type, [(FINALIZED.example, None)])
    assert len([s for s in statements if "pg_notify" in s]) == 1


class RecordingPublisher:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def publish(self, messages) -> None:
        self.sent += [message.event_id for message in messages]

    def close(self) -> None:
        pass


@pytest.mark.postgres
def test_an_idle_relay_publishes_a_lone_event_at_once_and_does_not_poll(postgres_url):
    engine, outbox = _outbox(postgres_url)
    publisher = RecordingPublisher()
    relay = OutboxRelay(engine, outbox, lambda: publisher, idle_interval=30.0)
    probes = []
    real_probe = relay._has_pending
    relay._has_pending = lambda: probes.append(time.monotonic()) or real_probe()
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()
    try:
        time.sleep(1.5)
        assert len(probes) <= 2, "an idle relay on PostgreSQL must not poll"
        began = time.monotonic()
        with Session(engine) as session, session.begin():
            added = outbox.add(session, FINALIZED.type, FINALIZED.example)
        while added.event_id not in publisher.sent and time.monotonic() - began < 5:
            time.sleep(0.01)
        assert added.event_id in publisher.sent
        assert time.monotonic() - began < 1.0
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
