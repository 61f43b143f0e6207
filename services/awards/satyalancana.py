"""Satyalancana Karya Satya: the yearly proposal list per unit, its exports, classes received."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, Invalid
from chassis.uow import UnitOfWork
from services.awards import committee
from services.awards import satyalancana_rules as rules
from services.awards.models import DisciplinarySanction, Employee
from services.awards.tables import Grant, StaffRecord


def reference_day(year: int) -> date:
    """The day service is counted to: 17 August, when the medals are conferred each year."""
    return date(year, 8, 17)


class Row(NamedTuple):
    """One employee's line of the proposal list."""

    nip: str
    name: str
    unit: str
    position: str
    tmt_cpns: date
    outcome: rules.Outcome

    def as_dict(self) -> dict[str, Any]:
        o = self.outcome
        return {
            "nip": self.nip,
            "name": self.name,
            "unit": self.unit,
            "position": self.position,
            "tmt_cpns": self.tmt_cpns,
            "award_class": o.award_class,
            "years": o.years,
            "counted_from": o.counted_from,
            "holds": list(o.holds),
            "reasons": [{"code": r.code, "message": r.message} for r in o.reasons],
        }


def rows(session: Session, on: date, *, restart: bool, unit: str | None = None) -> Iterator[Row]:
    """Every employee awards knows of (of `unit`), by unit then NIP, with their outcome."""
    employees = select(
        Employee.nip,
        Employee.name,
        Employee.unit,
        Employee.position,
        Employee.status,
        Employee.tmt_cpns,
    ).order_by(Employee.unit, Employee.nip)
    leave_q = select(StaffRecord.nip, StaffRecord.unpaid_leave).where(
        StaffRecord.unpaid_leave.is_not(None)
    )
    sanctions_q = select(
        DisciplinarySanction.nip,
        DisciplinarySanction.level,
        DisciplinarySanction.decided_on,
        DisciplinarySanction.effective_until,
    ).where(DisciplinarySanction.level.in_(sorted(rules.DISQUALIFYING)))
    held_q = select(Grant.nip, Grant.award_class).where(
        Grant.programme == rules.PROGRAMME, Grant.revoked_on.is_(None)
    )
    if unit is not None:
        employees = employees.where(Employee.unit == unit)
        in_unit = select(Employee.nip).where(Employee.unit == unit).scalar_subquery()
        leave_q = leave_q.where(StaffRecord.nip.in_(in_unit))
        sanctions_q = sanctions_q.where(DisciplinarySanction.nip.in_(in_unit))
        held_q = held_q.where(Grant.nip.in_(in_unit))
    connection = session.connection()
    leave = {
        nip: tuple(rules.Leave(_day(s), _day(e)) for s, e in periods)
        for nip, periods in connection.execute(leave_q)
    }
    sanctions: dict[str, list[rules.Sanction]] = {}
    for nip, level, decided, until in connection.execute(sanctions_q):
        sanctions.setdefault(nip, []).append(rules.Sanction(level, decided, until))
    held: dict[str, set[str]] = {}
    for nip, award_class in connection.execute(held_q):
        held.setdefault(nip, set()).add(award_class)
    none: frozenset[str] = frozenset()
    decide, servant_of = rules.satyalancana, rules.Servant
    # Fetched in partitions: row-by-row fetching cost as much as deciding.
    for part in connection.execute(employees).partitions(5_000):
        for nip, name, unit_code, position, status, tmt in part:
            servant = servant_of(
                nip,
                status,
                tmt,
                leave.get(nip, ()),
                tuple(sanctions[nip]) if nip in sanctions else (),
                frozenset(held[nip]) if nip in held else none,
            )
            yield Row(nip, name, unit_code, position, tmt, decide(servant, on, restart=restart))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def unit_list(session: Session, year: int, unit: str, on: date, restart: bool) -> dict[str, Any]:
    """One unit's proposal: who is proposed for which class, who is not and why."""
    proposed, excluded = [], []
    for row in rows(session, on, restart=restart, unit=unit):
        (proposed if row.outcome.proposed else excluded).append(row.as_dict())
    return {
        "year": year,
        "on": on,
        "restart": restart,
        "unit": unit,
        "proposed": proposed,
        "excluded": excluded,
    }


def summary(session: Session, year: int, on: date, restart: bool) -> dict[str, Any]:
    """Per unit, how many are proposed for each class and how many are excluded."""
    units: dict[str, dict[str, Any]] = {}
    for row in rows(session, on, restart=restart):
        counts = units.get(row.unit)
        if counts is None:
            counts = units[row.unit] = {
                "unit": row.unit,
                "proposed": {c: 0 for c, _y in rules.CLASSES},
                "excluded": 0,
            }
        award_class = row.outcome.award_class
        if award_class is None:
            counts["excluded"] += 1
        else:
            counts["proposed"][award_class] += 1
    return {"year": year, "on": on, "restart": restart, "units": list(units.values())}


# -- exports for the national secretariat ---------------------------------------------------

HEADER = (
    "nip",
    "nama",
    "unit_kerja",
    "jabatan",
    "tmt_cpns",
    "dihitung_sejak",
    "masa_kerja_tahun",
    "kelas_diusulkan",
    "kelas_dimiliki",
    "alasan",
)


def _cells(row: Row) -> list[Any]:
    o = row.outcome
    return [
        row.nip,
        row.name,
        row.unit,
        row.position,
        row.tmt_cpns.isoformat(),
        o.counted_from.isoformat() if o.counted_from else "",
        o.years,
        o.award_class or "",
        " ".join(o.holds),
        "; ".join(f"{r.code}: {r.message}" for r in o.reasons),
    ]


def to_csv(selected: Iterable[Row]) -> str:
    """The rows as CSV (UTF-8, header first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in selected:
        writer.writerow(_cells(row))
    return out.getvalue()


def to_xlsx(all_rows: Iterable[Row]) -> bytes:
    """A workbook with the proposed ("Usulan") and the excluded with why ("Tidak diusulkan")."""
    from openpyxl import Workbook  # imported here: only the export needs it

    book = Workbook(write_only=True)
    proposed, excluded = book.create_sheet("Usulan"), book.create_sheet("Tidak diusulkan")
    for sheet in (proposed, excluded):
        sheet.append(list(HEADER))
    for row in all_rows:
        (proposed if row.outcome.proposed else excluded).append(_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- classes received -----------------------------------------------------------------------


def record_class(uow: UnitOfWork, data: Mapping[str, Any]) -> dict[str, Any]:
    """Record a class the employee received (the Keppres): published as `award.granted`."""
    session = uow.session
    nip, award_class = data["nip"], data["award_class"]
    employee = session.get(Employee, nip)
    if employee is None:
        raise Invalid.field("nip", "No employee with this NIP is known here.")
    grant_id = f"SKS-{award_class}-{nip}"
    if session.get(Grant, grant_id) is not None:
        raise ConflictError(f"{nip} holds Satyalancana Karya Satya {award_class} already.")
    grant = Grant(
        grant_id=grant_id,
        programme=rules.PROGRAMME,
        year=data["granted_on"].year,
        nip=nip,
        award_class=award_class,
        amount=0,
        name=employee.name,
        unit=employee.unit,
        position=employee.position,
        granted_on=data["granted_on"],
    )
    session.add(grant)
    uow.publish(committee.GRANTED, committee.granted_event(grant), version=2)
    uow.flush()
    return {
        "grant_id": grant_id,
        "nip": nip,
        "award_class": award_class,
        "granted_on": grant.granted_on,
    }
