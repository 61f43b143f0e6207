"""The speed hacks: the py-amqp internals they need exist, and the switch turns each one off."""

from __future__ import annotations

import socket

import amqp
import pytest
from kombu import Connection
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, insert

from chassis import fastpaths
from chassis.bus import connect


@pytest.fixture
def real_amqp_connection():
    """A py-amqp connection whose transport is set up on a socket, as after connecting."""
    connection = amqp.Connection("127.0.0.1:1")
    transport = amqp.transport.TCPTransport("127.0.0.1:1")
    ours, theirs = socket.socketpair()
    transport.sock = ours
    transport._setup_transport()
    connection.transport = transport
    try:
        yield connection
    finally:
        ours.close()
        theirs.close()


def test_py_amqp_still_has_every_private_attribute_the_fast_paths_use(real_amqp_connection):
    missing = fastpaths.missing_amqp_hooks(real_amqp_connection)
    assert not missing, (
        f"py-amqp {amqp.__version__} no longer has {missing}: chassis/fastpaths.py must be "
        "adapted (or SOFIFI_FASTPATHS=off) before this release is allowed in pyproject.toml"
    )


def test_a_transport_without_the_hooks_is_reported():
    class Bare:
        transport = object()

    assert "transport._quick_recv" in fastpaths.missing_amqp_hooks(Bare())
    assert "connection.blocking_read" in fastpaths.missing_amqp_hooks(Bare())


@pytest.mark.parametrize(("switch", "on"), [("on", True), ("", True), ("off", False), ("0", False)])
def test_the_switch(monkeypatch, switch, on):
    monkeypatch.setenv("SOFIFI_FASTPATHS", switch)
    assert fastpaths.enabled() is on
    transport = connect("amqp://guest:guest@127.0.0.1:1//").transport_cls
    assert (transport is fastpaths.ReadAheadTransport) is on


def test_memory_urls_never_get_the_read_ahead_transport():
    assert fastpaths.amqp_transport("memory://") is None


def test_switched_off_nothing_is_corked(monkeypatch):
    written = []

    class Transport:
        def _write(self, data):
            written.append(bytes(data))

        def write(self, data):  # pragma: no cover - the corked path only
            written.append(b"corked:" + data)

    class Raw:
        transport = Transport()

    class Fake(Connection):
        connection = Raw()

    monkeypatch.setenv("SOFIFI_FASTPATHS", "off")
    with fastpaths.corked(Fake("memory://")):
        Raw.transport._write(b"a")
        Raw.transport._write(b"b")
    assert written == [b"a", b"b"]
    written.clear()
    monkeypatch.setenv("SOFIFI_FASTPATHS", "on")
    with fastpaths.corked(Fake("memory://")):
        Raw.transport._write(b"a")
        Raw.transport._write(b"b")
    assert written == [b"corked:ab"]


@pytest.mark.parametrize(("switch", "through_sqlalchemy"), [("on", 0), ("off", 1)])
def test_the_driver_insert_bypasses_sqlalchemy_only_when_on(
    monkeypatch, switch, through_sqlalchemy
):
    monkeypatch.setenv("SOFIFI_FASTPATHS", switch)
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("v", String))
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    executed = []
    event.listen(engine, "before_cursor_execute", lambda *args: executed.append(args[2]))
    inserter = fastpaths.DriverInsert(insert(table).inline(), ("v",))
    with engine.begin() as connection:
        inserter.execute(connection, {"v": "x"})
    with engine.connect() as connection:
        assert connection.execute(table.select()).all() == [(1, "x")]
    assert len([sql for sql in executed if sql.startswith("INSERT")]) == through_sqlalchemy


def test_limits_still_has_the_memory_storage_internals_the_swept_storage_replaces():
    from limits.storage import MemoryStorage

    missing = [name for name in fastpaths.MEMORY_STORAGE_HOOKS if not hasattr(MemoryStorage, name)]
    assert not missing, f"limits no longer has {missing}: adapt SweptMemoryStorage"


def test_swept_memory_counters_limit_and_expire(monkeypatch):
    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    monkeypatch.setenv("SOFIFI_FASTPATHS", "on")
    storage = storage_from_string(fastpaths.rate_limit_storage_uri("memory://"))
    assert isinstance(storage, fastpaths.SweptMemoryStorage)
    limiter, item = FixedWindowRateLimiter(storage), parse("2/second")
    assert [limiter.hit(item, "client") for _ in range(3)] == [True, True, False]
    storage.expirations["client-key"] = 0.0  # an expired counter goes at the next sweep
    storage._MemoryStorage__expire_events()
    assert "client-key" not in storage.expirations
    monkeypatch.setenv("SOFIFI_FASTPATHS", "off")
    assert fastpaths.rate_limit_storage_uri("memory://") == "memory://"
    assert fastpaths.rate_limit_storage_uri("redis://r:6379") == "redis://r:6379"
