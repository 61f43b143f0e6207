"""Many rows in one statement (chassis.arrays): the same rows and returns on every path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, select

from chassis.arrays import ManyRows
from chassis.db import UtcDateTime, make_engine

METADATA = MetaData()
THINGS = Table(
    "things",
    METADATA,
    Column("key", String(36), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("note", String(500), nullable=True),
    Column("at", UtcDateTime(), nullable=False),
)
KEY = THINGS.c.key
CLAIM = ManyRows(
    THINGS,
    ("key", "size", "note", "at"),
    lambda insert: insert.on_conflict_do_nothing(index_elements=[KEY]).returning(KEY),
)
PLAIN = ManyRows(THINGS, ("key", "size", "note", "at"))


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A database of each kind with the `things` table."""
    url = f"sqlite:///{tmp_path}/t.db"
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    METADATA.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.mark.parametrize("switch", ["on", "off"])
def test_rows_go_in_once_and_the_new_keys_come_back(engine, switch, monkeypatch):
    monkeypatch.setenv("SOFIFI_FASTPATHS", switch)
    now = datetime.now(UTC)
    rows = [
        {"key": f"k{n}", "size": n, "note": None if n % 2 else "x" * 400, "at": now}
        for n in range(5)
    ]
    with engine.begin() as connection:
        assert sorted(CLAIM.execute(connection, rows)) == [f"k{n}" for n in range(5)]
    # A second time, and a copy inside the same statement: only the new key comes back.
    later = now + timedelta(minutes=1)
    again = [*rows, {"key": "k9", "size": 9, "note": None, "at": later}]
    with engine.begin() as connection:
        assert CLAIM.execute(connection, [*again, again[-1]]) == ["k9"]
        assert PLAIN.execute(connection, [{"key": "k10", "size": 10, "note": "", "at": now}]) == []
    with engine.connect() as connection:
        stored = connection.execute(select(THINGS).order_by(THINGS.c.size)).all()
    assert [(r.key, r.size, r.note) for r in stored] == [
        *((r["key"], r["size"], r["note"]) for r in rows),
        ("k9", 9, None),
        ("k10", 10, ""),
    ]
    assert {r.at for r in stored} == {now, later}
    assert all(r.at.tzinfo is not None for r in stored)
