"""Talent mapping (PermenPAN-RB 3/2020): the performance axis, assessment imports, the nine-box.

The annual predikat comes from `appraisal.appraisal.finalized` (kept per NIP and year); the
potential from an all-or-nothing CSV import of assessment results; the map joins the two.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from chassis import csvfile
from chassis.arrays import ManyRows
from chassis.bus import Event
from chassis.domain import Invalid, NotAllowed, NotFoundError
from chassis.inbox import handles_batches
from chassis.principal import Principal
from chassis.uow import UnitOfWork
from contracts.identifiers import nip_problem
from services.training import talent_rules as tr
from services.training.models import Employee
from services.training.models_talent import AnnualPredikat, Assessment

COLUMNS = (
    "nip",
    "assessed_on",
    "managerial",
    "socio_cultural",
    "job_match",
    "education",
    "experience_years",
    "track_record",
)
MAX_ROWS = 50_000
MAX_REPORTED_ROWS = 1000
MAX_CHAIN = 30  # supervision levels walked up (a loop in the roster cannot hang a request)


@handles_batches
def handle_appraisal_finalized(session: Session, events: list[Event]) -> None:
    """Keep each finalized annual predikat per NIP and year (the newest event wins).

    One statement for the batch: an older finalization redelivered late never overwrites a
    newer one (the upsert's condition), and of one key in a batch the newest is kept.
    """
    newest: dict[tuple[str, int], dict[str, Any]] = {}
    for event in events:
        data = event.data
        if data["period"] != "ANNUAL":
            continue
        row = {
            "nip": data["nip"],
            "year": data["year"],
            "predikat": data["predikat"],
            "unit": data["unit"],
            "appraisal_id": data["appraisal_id"],
            "finalized_at": datetime.fromisoformat(data["finalized_at"]),
        }
        kept = newest.get((row["nip"], row["year"]))
        if kept is None or kept["finalized_at"] <= row["finalized_at"]:
            newest[(row["nip"], row["year"])] = row
    if newest:
        _KEEP_NEWER.execute(session, list(newest.values()))


_PREDIKAT_FIELDS = ("predikat", "unit", "appraisal_id", "finalized_at")


def _unless_newer(statement: Any) -> Insert:
    """ON CONFLICT (nip, year) DO UPDATE unless the stored finalization is newer."""
    table = AnnualPredikat.__table__
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[table.c.nip, table.c.year],
        set_={name: excluded[name] for name in _PREDIKAT_FIELDS},
        where=table.c.finalized_at <= excluded.finalized_at,
    )


_KEEP_NEWER = ManyRows(AnnualPredikat.__table__, ("nip", "year", *_PREDIKAT_FIELDS), _unless_newer)


HANDLERS = {"appraisal.appraisal.finalized": handle_appraisal_finalized}


def _check_header(header: list[str]) -> None:
    if header != list(COLUMNS):
        raise csvfile.csv_error("header", "The columns must be " + ",".join(COLUMNS) + ".")


def _number(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def check_row(record: list[str], today: date) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The values of one row, and its errors by column."""
    errors: dict[str, list[str]] = {}
    raw = dict(zip(COLUMNS, (cell.strip() for cell in record), strict=False))
    if len(record) != len(COLUMNS):
        return {}, {"row": [f"The row has {len(record)} cells, not {len(COLUMNS)}."]}
    values: dict[str, Any] = {"nip": raw["nip"]}
    if problem := nip_problem(raw["nip"]):
        errors["nip"] = [problem]
    try:
        values["assessed_on"] = date.fromisoformat(raw["assessed_on"])
        if values["assessed_on"] > today:
            errors["assessed_on"] = ["The assessment date is in the future."]
    except ValueError:
        errors["assessed_on"] = ["Not a date (YYYY-MM-DD)."]
    for name, low, high in (("managerial", 1, 5), ("socio_cultural", 1, 5), ("job_match", 0, 100)):
        values[name] = _number(raw[name], low, high)
        if values[name] is None:
            errors[name] = [f"A number from {low} to {high}."]
    values["education"] = raw["education"].upper()
    if values["education"] not in tr.EDUCATION_LEVELS:
        errors["education"] = ["One of " + ", ".join(tr.EDUCATION_LEVELS) + "."]
    years = _number(raw["experience_years"], 0, 50)
    if years is None or years != int(years):
        errors["experience_years"] = ["A whole number of years from 0 to 50."]
    values["experience_years"] = int(years or 0)
    values["track_record"] = raw["track_record"].upper()
    if values["track_record"] not in tr.TRACK_RECORDS:
        errors["track_record"] = ["One of " + ", ".join(tr.TRACK_RECORDS) + "."]
    return values, errors


def import_assessments(uow: UnitOfWork, payload: bytes) -> dict[str, Any]:
    """Store every row's result and potential, or none: a 422 names each bad row's columns."""
    actor = uow.require_actor()
    header, rows = csvfile.read_csv(payload)
    _check_header(header)
    today = datetime.now(UTC).date()
    good: dict[int, dict[str, Any]] = {}
    errors: dict[int, dict[str, list[str]]] = {}
    first: dict[str, int] = {}
    for number, record in rows:
        if number > MAX_ROWS + 1:
            raise csvfile.csv_error("file", f"At most {MAX_ROWS} rows.")
        values, row_errors = check_row(record, today)
        nip = values.get("nip")
        if nip and nip in first and "nip" not in row_errors:
            row_errors["nip"] = [f"Already on row {first[nip]}."]
        elif nip:
            first.setdefault(nip, number)
        if row_errors:
            errors[number] = row_errors
        else:
            good[number] = values
    known = set(uow.session.scalars(select(Employee.nip).where(Employee.nip.in_(first))))
    for number, values in good.items():
        if values["nip"] not in known:
            errors[number] = {"nip": ["No employee with this NIP on the roster."]}
    if errors:
        shown = dict(sorted(errors.items())[:MAX_REPORTED_ROWS])
        raise Invalid(
            {"rows": {str(n): e for n, e in shown.items()}},
            f"{len(errors)} row(s) have errors; nothing was imported.",
            location="csv",
        )
    now = datetime.now(UTC)
    counts: Counter[str] = Counter()
    for values in good.values():
        base = tr.base_potential(
            values["managerial"], values["socio_cultural"], values["job_match"]
        )
        potential = tr.adjusted_potential(
            base, values["education"], values["experience_years"], values["track_record"]
        )
        counts[potential] += 1
        record = {**values, "base_potential": base, "potential": potential}
        record.update(imported_by=actor.username, imported_at=now)
        uow.session.merge(Assessment(**record))
    return {"imported": len(good), "by_potential": {lvl: counts[lvl] for lvl in tr.LEVELS}}


def get_assessment(session: Session, nip: str) -> Assessment:
    """One employee's assessment; 404 when none was imported."""
    found = session.get(Assessment, nip)
    if found is None:
        raise NotFoundError("No assessment of this employee.")
    return found


def placements(session: Session, year: int, nips: list[str] | None = None) -> dict[str, dict]:
    """Each employee with a finalized predikat of `year` and an assessment, placed in a box."""
    query = select(AnnualPredikat).where(AnnualPredikat.year.in_((year, year - 1)))
    if nips is not None:
        query = query.where(AnnualPredikat.nip.in_(nips))
    history: dict[str, dict[int, str]] = {}
    for row in session.scalars(query):
        history.setdefault(row.nip, {})[row.year] = row.predikat
    current = [nip for nip, years in history.items() if year in years]
    assessed = {
        a.nip: a
        for a in session.scalars(
            select(Assessment).where(
                Assessment.nip.in_(current), Assessment.assessed_on <= date(year + 1, 12, 31)
            )
        )
    }
    employees = {
        e.nip: e for e in session.scalars(select(Employee).where(Employee.nip.in_(current)))
    }
    placed = {}
    for nip in sorted(assessed):
        years = history[nip]
        predikats = [years[y] for y in (year, year - 1) if y in years]
        performance = tr.performance_level(predikats)
        number = tr.box(performance, assessed[nip].potential)
        employee = employees.get(nip)
        placed[nip] = {
            "nip": nip,
            "name": employee.name if employee else None,
            "unit": employee.unit if employee else None,
            "year": year,
            "predikat": predikats,
            "performance": performance,
            "potential": assessed[nip].potential,
            "box": number,
            "label": tr.label(number),
        }
    return placed


def talent_map(session: Session, year: int, unit: str | None) -> list[dict[str, Any]]:
    """The year's map (by unit, NIP), each with last year's box and the movement."""
    now = placements(session, year)
    before = placements(session, year - 1, list(now))
    rows = []
    for nip, entry in now.items():
        if unit and entry["unit"] != unit:
            continue
        previous = before.get(nip, {}).get("box")
        rows.append(
            {**entry, "previous_box": previous, "movement": tr.movement(previous, entry["box"])}
        )
    return sorted(rows, key=lambda r: (r["unit"] or "", r["nip"]))


def summary(session: Session, year: int) -> dict[str, Any]:
    """Counts per box for the province and per unit (all nine boxes, zeros included)."""
    rows = talent_map(session, year, None)

    def counts(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        tally = Counter(r["box"] for r in items)
        return [{"box": b, "label": tr.label(b), "employees": tally[b]} for b in tr.BOXES]

    units = sorted({r["unit"] or "" for r in rows})
    return {
        "year": year,
        "province": {"employees": len(rows), "boxes": counts(rows)},
        "units": [
            {
                "unit": u,
                "employees": sum(r["unit"] == u for r in rows),
                "boxes": counts([r for r in rows if (r["unit"] or "") == u]),
            }
            for u in units
        ],
    }


def in_chain_of(session: Session, supervisor_nip: str, nip: str) -> bool:
    """True when `supervisor_nip` is above `nip` on the roster (direct or further up)."""
    current = session.get(Employee, nip)
    for _level in range(MAX_CHAIN):
        if current is None or current.supervisor_nip is None:
            return False
        if current.supervisor_nip == supervisor_nip:
            return True
        current = session.get(Employee, current.supervisor_nip)
    return False


def employee_box(session: Session, principal: Principal, year: int, nip: str) -> dict[str, Any]:
    """One employee's box: admins and their supervision chain only (not the employee)."""
    admin = "admin" in principal.roles
    chain = (
        "supervisor" in principal.roles
        and principal.nip
        and in_chain_of(session, principal.nip, nip)
    )
    if not (admin or chain):
        raise NotAllowed("Only admins and the employee's supervision chain see a talent box.")
    placed = placements(session, year, [nip]).get(nip)
    if placed is None:
        raise NotFoundError("This employee is not on the talent map of this year.")
    previous = placements(session, year - 1, [nip]).get(nip, {}).get("box")
    return {**placed, "previous_box": previous, "movement": tr.movement(previous, placed["box"])}
