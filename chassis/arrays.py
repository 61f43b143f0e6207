"""Many rows in one small statement: on PostgreSQL one binary array per column, `unnest`ed.

An executemany sends a statement per row (psycopg's pipeline) and an INSERT .. RETURNING of
many rows becomes one long VALUES list that the driver parses again on every call; consumers
and writers add a few hundred rows per transaction on the pipeline's hot path. Instead,
`INSERT .. SELECT * FROM unnest(%b, %b, ..)` takes one parameter per column, each list packed
by the driver in binary (text arrays would be escaped element by element), and its text is the
same for any number of rows. Whatever the statement adds (ON CONFLICT, RETURNING) applies as to
the plain insert. Values go through the columns' own bind processing first.

It runs on the DB-API cursor of the caller's transaction: a fast path (chassis.fastpaths),
so with SOFIFI_FASTPATHS off, and on any other database (SQLite), the plain insert runs with
the rows through SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from chassis import fastpaths
from chassis.db import dialect_insert

Shape = Callable[[Any], Insert]
_PREFIX = "all_"


def _plain(statement: Insert) -> Insert:
    return statement


class ManyRows:
    """An INSERT of many rows of `columns` into `table`, shaped by `shape` (conflict, returning).

    `shape` gets the dialect's insert (PostgreSQL's or SQLite's, both with `excluded` and the
    ON CONFLICT methods) and returns the statement to run.
    """

    def __init__(self, table: Table, columns: Sequence[str], shape: Shape = _plain) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.shape = shape
        self._plain: dict[str, Insert] = {}
        self._arrays: tuple[str, list[Any]] | None = None

    def plain(self, dialect: str) -> Insert:
        """The statement run with a list of rows, built once per dialect."""
        if dialect not in self._plain:
            self._plain[dialect] = self.shape(dialect_insert(dialect, self.table))
        return self._plain[dialect]

    def _array_sql(self, connection: Connection) -> tuple[str, list[Any]]:
        """PostgreSQL's SQL taking one binary array per column, and the columns' processors."""
        if self._arrays is None:
            columns = [self.table.c[name] for name in self.columns]
            # Typed parameters: the psycopg dialect renders their casts (`::VARCHAR(36)[]`).
            arrays = [bindparam(_PREFIX + c.name, type_=ARRAY(c.type)) for c in columns]
            rows = select(func.unnest(*arrays).table_valued(*self.columns).render_derived())
            insert = dialect_insert("postgresql", self.table).from_select(self.columns, rows)
            sql = str(self.shape(insert).compile(dialect=connection.dialect))
            sql = re.sub(rf"%\(({_PREFIX}\w+)\)s", r"%(\1)b", sql)  # binary parameters
            processors = [c.type._cached_bind_processor(connection.dialect) for c in columns]
            self._arrays = (sql, processors)
        return self._arrays

    def execute(self, on: Session | Connection, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Insert `rows` (mappings holding at least `columns`) in one statement.

        Returns the first column of what the statement returns (its RETURNING), else [].
        """
        connection = on.connection() if isinstance(on, Session) else on
        dialect = connection.dialect.name
        if dialect != "postgresql" or not fastpaths.enabled():
            plain = self.plain(dialect)
            result = connection.execute(plain, [{c: row[c] for c in self.columns} for row in rows])
            return list(result.scalars()) if result.returns_rows else []
        sql, processors = self._array_sql(connection)
        params = {}
        for name, process in zip(self.columns, processors, strict=True):
            values = [row[name] for row in rows]
            if process is not None:
                values = [None if value is None else process(value) for value in values]
            params[_PREFIX + name] = values
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()] if cursor.description else []
        finally:
            cursor.close()
