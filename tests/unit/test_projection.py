"""upsert_newer: an older snapshot never overwrites a newer one, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, delete, select
from sqlalchemy.orm import Session

from chassis.db import UtcDateTime, make_engine
from chassis.projection import upsert_newer

NIP = "199001152015031001"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def _employees() -> Table:
    return Table(
        "employees",
        MetaData(),
        Column("nip", String(18), primary_key=True),
        Column("unit", String(64), nullable=False),
        Column("position", String(200), nullable=False),
        Column("as_of", UtcDateTime(), nullable=False),
    )


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def projection(request, tmp_path):
    """An engine on the dialect under test and an empty `employees` table."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'projection.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    table = _employees()
    table.metadata.create_all(engine)
    yield engine, table
    engine.dispose()


def _apply(engine, table, unit: str, as_of: datetime, position: str = "Analis SDM") -> None:
    with Session(engine) as session, session.begin():
        upsert_newer(session, table, {"nip": NIP, "unit": unit, "position": position}, as_of)


def _row(engine, table):
    with engine.connect() as connection:
        return connection.execute(select(table).where(table.c.nip == NIP)).one()


def test_the_first_snapshot_is_inserted(projection):
    engine, table = projection
    _apply(engine, table, "BKD", T0)
    row = _row(engine, table)
    assert (row.unit, row.position, row.as_of) == ("BKD", "Analis SDM", T0)


def test_a_newer_snapshot_overwrites(projection):
    engine, table = projection
    _apply(engine, table, "BKD", T0)
    _apply(engine, table, "DINKES", T0 + timedelta(microseconds=1), position="Perawat")
    row = _row(engine, table)
    assert (row.unit, row.position, row.as_of) == (
        "DINKES",
        "Perawat",
        T0 + timedelta(microseconds=1),
    )


def test_an_older_snapshot_is_ignored(projection):
    engine, table = projection
    _apply(engine, table, "DINKES", T0)
    _apply(engine, table, "BKD", T0 - timedelta(seconds=1))
    row = _row(engine, table)
    assert (row.unit, row.as_of) == ("DINKES", T0)


def test_a_snapshot_of_the_same_moment_is_ignored(projection):
    engine, table = projection
    _apply(engine, table, "DINKES", T0)
    _apply(engine, table, "BKD", T0)
    assert _row(engine, table).unit == "DINKES"


def test_other_rows_are_untouched(projection):
    engine, table = projection
    other = "197806152003122002"
    with Session(engine) as session, session.begin():
        upsert_newer(session, table, {"nip": other, "unit": "BKD", "position": "Kepala"}, T0)
    _apply(engine, table, "DINKES", T0 + timedelta(days=1))
    with engine.connect() as connection:
        assert (
            connection.execute(select(table.c.unit).where(table.c.nip == other)).scalar() == "BKD"
        )


SNAPSHOTS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),  # seconds after T0: ties are frequent
        st.sampled_from(["BKD", "DINKES", "DPMPTSP", "BAPPEDA"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(snapshots=SNAPSHOTS)
def test_in_any_arrival_order_the_newest_first_arrived_snapshot_wins(projection, snapshots):
    engine, table = projection
    with engine.begin() as connection:
        connection.execute(delete(table))  # examples share the fixture's table
    for seconds, unit in snapshots:
        _apply(engine, table, unit, T0 + timedelta(seconds=seconds))
    newest = max(seconds for seconds, _unit in snapshots)
    first_newest = next(unit for seconds, unit in snapshots if seconds == newest)
    row = _row(engine, table)
    assert (row.unit, row.as_of) == (first_newest, T0 + timedelta(seconds=newest))
