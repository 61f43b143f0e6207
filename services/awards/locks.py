"""The awards consumer's advisory locks (PostgreSQL; SQLite has one writer at a time anyway).

One employee's facts are decided one transaction at a time, and a year's JP ledger opens while
no appraisal of that year is being decided. Always the year's ledger lock before an employee's,
and many of a kind in sorted order, so that no two handlers wait on each other in a circle.
"""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlalchemy.orm import Session

# Namespaces of the two-int4 form: a key space apart from the outbox relay's bigint lock.
EMPLOYEE_LOCK, LEDGER_LOCK = 0x4157_0001, 0x4157_0002


def lock(session: Session, kind: str, *, nip: str | None = None, year: int | None = None) -> None:
    """Take the advisory lock of `kind` ("employee" by `nip`, "ledger" by `year`)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    params: dict[str, int] = {}
    if nip is not None:
        params["employee"] = employee_key(nip)
    if year is not None:
        params["year"] = year
    session.connection().execute(_LOCKS[kind], params)


def lock_many(session: Session, years: list[int], nips: list[str]) -> None:
    """The years' shared ledger locks, then the employees' locks, in one statement."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({employee_key(nip) for nip in nips})
    session.connection().execute(_YEAR_AND_EMPLOYEE_LOCKS, {"years": years, "keys": keys})


def employee_key(nip: str) -> int:
    """An employee's lock key: crc32 (unsigned) as the signed int4 the lock takes."""
    key = zlib.crc32(nip.encode())
    return key - 2**32 if key >= 2**31 else key


_LOCKS = {
    "employee": text(f"SELECT pg_advisory_xact_lock({EMPLOYEE_LOCK}, :employee)"),
    "ledger": text(f"SELECT pg_advisory_xact_lock({LEDGER_LOCK}, :year)"),
}

# One round trip for both kinds: the years' (shared) locks first, then the employees', each in
# sorted order (the Append runs its parts in turn; volatile calls are never pruned).
_YEAR_AND_EMPLOYEE_LOCKS = text(
    "SELECT count(*) FROM ("
    " SELECT pg_advisory_xact_lock_shared(:ledger, y)"
    " FROM (SELECT unnest(CAST(:years AS int[])) AS y ORDER BY 1) AS years"
    " UNION ALL"
    " SELECT pg_advisory_xact_lock(:employee, k)"
    " FROM (SELECT unnest(CAST(:keys AS int[])) AS k ORDER BY 1) AS employees"
    ") AS locks"
).bindparams(ledger=LEDGER_LOCK, employee=EMPLOYEE_LOCK)
