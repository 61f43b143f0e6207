"""How eligibility reads and locks its stored facts: the statements and the advisory locks.

Core statements built once (building one costs more than running it here), run on the
session's connection: handlers of one batch share a session, and an ORM object loaded by an
earlier event would hide what a later event's upsert wrote.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, bindparam, exists, select, text, tuple_, update
from sqlalchemy.orm import Session

from chassis.arrays import ManyRows
from services.awards import rules
from services.awards.models import (
    AnnualAppraisal,
    DisciplinarySanction,
    Eligibility,
    JpTotal,
    SubstantiatedComplaint,
)

APPRAISALS = AnnualAppraisal.__table__
COMPLAINTS = SubstantiatedComplaint.__table__
SANCTIONS = DisciplinarySanction.__table__
JP = JpTotal.__table__
ELIGIBILITY = Eligibility.__table__

# Advisory-lock namespaces (PostgreSQL): one employee's facts are decided one transaction at a
# time, and a year's JP ledger opens while no appraisal of that year is being decided.
_EMPLOYEE_LOCK, _LEDGER_LOCK = 0x4157_0001, 0x4157_0002


def _key(table: Any, *names: str) -> Any:
    return and_(*(table.c[name] == bindparam(f"k_{name}") for name in names))


APPRAISED_YEARS = select(APPRAISALS.c.year).where(_key(APPRAISALS, "nip"))
APPRAISED_NIPS = select(APPRAISALS.c.nip).where(_key(APPRAISALS, "year"))
COMPLAINT = select(COMPLAINTS).where(_key(COMPLAINTS, "tracking_number"))
COMPLAINTS_OF = select(COMPLAINTS).where(_key(COMPLAINTS, "nip"))
SANCTION = select(SANCTIONS).where(_key(SANCTIONS, "sanction_id"))
SANCTIONS_OF = select(SANCTIONS).where(_key(SANCTIONS, "nip"))
LEDGER_OPEN = select(exists().where(_key(JP, "year")))
# An appraisal and the decision made from it, if any.
_DECIDED = APPRAISALS.outerjoin(
    ELIGIBILITY,
    and_(
        ELIGIBILITY.c.nip == APPRAISALS.c.nip,
        ELIGIBILITY.c.year == APPRAISALS.c.year,
        ELIGIBILITY.c.programme == rules.PROGRAMME,
    ),
)
# Everything a decision needs in one round trip; complaints and sanctions are read only for the
# few employees who have any.
_FACT_COLUMNS = (
    APPRAISALS.c.predikat,
    APPRAISALS.c.unit,
    APPRAISALS.c.appraisal_id,
    ELIGIBILITY.c.eligible,
    ELIGIBILITY.c.reasons,
    ELIGIBILITY.c.unit.label("decided_unit"),
    ELIGIBILITY.c.basis,
    exists().where(COMPLAINTS.c.nip == APPRAISALS.c.nip).label("any_complaint"),
    exists().where(SANCTIONS.c.nip == APPRAISALS.c.nip).label("any_sanction"),
    exists().where(JP.c.year == APPRAISALS.c.year).label("ledger_open"),
    select(JP.c.jp_year_total)
    .where(JP.c.nip == APPRAISALS.c.nip, JP.c.year == APPRAISALS.c.year)
    .scalar_subquery()
    .label("jp_total"),
)
FACTS = select(*_FACT_COLUMNS).select_from(_DECIDED).where(_key(APPRAISALS, "nip", "year"))
FACTS_MANY = (
    select(*_FACT_COLUMNS, APPRAISALS.c.nip, APPRAISALS.c.year)
    .select_from(_DECIDED)
    .where(tuple_(APPRAISALS.c.nip, APPRAISALS.c.year).in_(bindparam("pairs", expanding=True)))
)
COMPLAINTS_OF_MANY = select(COMPLAINTS).where(
    COMPLAINTS.c.nip.in_(bindparam("nips", expanding=True))
)
SANCTIONS_OF_MANY = select(SANCTIONS).where(SANCTIONS.c.nip.in_(bindparam("nips", expanding=True)))
INSERT_DECISION = ELIGIBILITY.insert()
# Many new decisions at once: binary column arrays on PostgreSQL (chassis.arrays).
INSERT_DECISIONS = ManyRows(
    ELIGIBILITY,
    ("nip", "year", "programme", "unit", "basis", "eligible", "reasons", "determined_at"),
)
UPDATE_DECISION = update(ELIGIBILITY).where(_key(ELIGIBILITY, "nip", "year", "programme"))


def run(session: Session, statement: Any, **keys: Any) -> Any:
    """Run one of the keyed statements above with its keys."""
    return session.connection().execute(statement, {f"k_{k}": v for k, v in keys.items()})


def update_decision(session: Session, key: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    """Write new values into the decision of `key` (nip, year, programme)."""
    params = {**values, **{f"k_{k}": v for k, v in key.items()}}
    session.connection().execute(UPDATE_DECISION, params)


def by_nip(session: Session, statement: Any, nips: list[str]) -> dict[str, list[Any]]:
    """The rows of a `..._OF_MANY` statement for `nips`, grouped by employee."""
    found: dict[str, list[Any]] = {}
    if nips:
        for row in session.connection().execute(statement, {"nips": nips}):
            found.setdefault(row.nip, []).append(row)
    return found


def ledger_open(session: Session, year: int) -> bool:
    """Whether any JP of `year` has arrived (the year's ledger is open)."""
    return bool(run(session, LEDGER_OPEN, year=year).scalar())


def appraised_in(session: Session, year: int) -> Iterable[str]:
    """The employees appraised in `year`, sorted."""
    # Sorted: the employee locks are taken in one order, so two cascades cannot deadlock.
    return sorted(run(session, APPRAISED_NIPS, year=year).scalars())


# -- locks ----------------------------------------------------------------------------------


def lock(session: Session, kind: str, *, nip: str | None = None, year: int | None = None) -> None:
    """Take the advisory locks of `kind` (PostgreSQL; SQLite has one writer at a time anyway).

    Always the year's ledger lock before an employee's, so that no two handlers wait on each
    other in a circle.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    params: dict[str, int] = {}
    if nip is not None:
        params["employee"] = _int4(zlib.crc32(nip.encode()))
    if year is not None:
        params["year"] = year
    session.connection().execute(_LOCKS[kind], params)


def lock_many(session: Session, years: list[int], nips: list[str]) -> None:
    """The years' shared ledger locks, then the employees' locks, in one statement."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({_int4(zlib.crc32(nip.encode())) for nip in nips})
    session.connection().execute(_YEAR_AND_EMPLOYEE_LOCKS, {"years": years, "keys": keys})


def _int4(key: int) -> int:
    # crc32 is unsigned; the two-int4 advisory lock takes a signed int4.
    return key - 2**32 if key >= 2**31 else key


# The two-int4 form has its own key space, apart from the outbox relay's bigint lock.
_LOCKS = {
    "employee": text(f"SELECT pg_advisory_xact_lock({_EMPLOYEE_LOCK}, :employee)"),
    "ledger": text(f"SELECT pg_advisory_xact_lock({_LEDGER_LOCK}, :year)"),
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
).bindparams(ledger=_LEDGER_LOCK, employee=_EMPLOYEE_LOCK)
