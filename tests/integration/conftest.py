"""Fixtures of the integration tests: the real broker and database, seen through pika."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.integration.support import Ledger, Pika, Workers


@pytest.fixture(autouse=True, params=["on", "off"], ids=["fastpaths-on", "fastpaths-off"])
def fastpaths(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every delivery test runs with chassis.fastpaths switched on and switched off (the
    variable reaches in-process workers and the subprocesses a test starts alike)."""
    monkeypatch.setenv("SOFIFI_FASTPATHS", request.param)
    return request.param


@pytest.fixture
def ledger(postgres_url: str) -> Iterator[Ledger]:
    """The countable test service's database on a fresh PostgreSQL database."""
    ledger = Ledger(postgres_url)
    try:
        yield ledger
    finally:
        ledger.engine.dispose()


@pytest.fixture
def workers(amqp_url: str) -> Iterator[Workers]:
    """Factory of in-process workers on the test vhost; all stopped at teardown."""
    pool = Workers(amqp_url)
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def rabbit(amqp_url: str) -> Iterator[Pika]:
    """pika, an independent AMQP client, on the test vhost."""
    client = Pika(amqp_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def hold() -> Iterator[threading.Event]:
    """An event a test sets to release a handler it made wait; always set at teardown."""
    gate = threading.Event()
    try:
        yield gate
    finally:
        gate.set()
