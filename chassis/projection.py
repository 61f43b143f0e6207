"""Projections: a service's local copy of another service's records, fed by events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import String, Table
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.dml import Insert

from chassis.arrays import ManyRows
from chassis.db import UtcDateTime, dialect_insert


class RosterColumns:
    """What every service's roster projection keeps (mix into its `Employee` model, which adds
    the columns of its own): who, where, in which post, and the time of the last event."""

    __tablename__ = "employees"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())


@lru_cache(maxsize=256)
def _upsert_statement(dialect: str, table: Table, columns: tuple[str, ...]) -> Insert:
    # Built once per table and column set: constructing it costs more than running it.
    return _unless_newer(dialect_insert(dialect, table), table, columns)


def _unless_newer(statement: Any, table: Table, columns: tuple[str, ...]) -> Insert:
    """ON CONFLICT (the key) DO UPDATE the `columns` unless the stored row is as new."""
    keys = [column.name for column in table.primary_key.columns]
    updates = {name: statement.excluded[name] for name in columns if name not in keys}
    return statement.on_conflict_do_update(
        index_elements=keys, set_=updates, where=table.c.as_of < statement.excluded.as_of
    )


def upsert_newer(session: Session, table: Table, values: dict[str, Any], as_of: datetime) -> None:
    """Insert the record `values`, or overwrite the stored one only if it is older than `as_of`.

    Events can arrive out of order (a retried one overtakes the next), so each row keeps the
    time of the event it came from in `as_of`, and an older snapshot never overwrites a newer.
    One statement and no read: projections are written at the rate events arrive.
    """
    row = {**values, "as_of": as_of}
    dialect = session.get_bind().dialect.name
    session.execute(_upsert_statement(dialect, table, tuple(row)), row)


def upsert_newer_many(
    session: Session, table: Table, records: Iterable[tuple[dict[str, Any], datetime]]
) -> None:
    """`upsert_newer` for many (values, as_of) records in one statement (batch handlers).

    Records of the same key are reduced to the newest first: one statement cannot touch a row
    twice, and the older would lose anyway. All records must name the same columns.
    """
    newest: dict[tuple[Any, ...], dict[str, Any]] = {}
    keys = [column.name for column in table.primary_key.columns]
    for values, as_of in records:
        key = tuple(values[name] for name in keys)
        if key not in newest or newest[key]["as_of"] <= as_of:
            newest[key] = {**values, "as_of": as_of}
    if not newest:
        return
    rows = list(newest.values())
    _upsert_rows(table, tuple(rows[0])).execute(session, rows)


@lru_cache(maxsize=256)
def _upsert_rows(table: Table, columns: tuple[str, ...]) -> ManyRows:
    """`_upsert_statement` for many rows in one statement (chassis.arrays)."""
    return ManyRows(table, columns, lambda statement: _unless_newer(statement, table, columns))
