"""Import of the existing staff from CSV: all rows or none, every error named by row and field.

A whole province comes in one file (tens of thousands of rows). The file is read and checked in
full first (`read_csv`, `check_rows`); only when no row has an error are the employees inserted
in batches and one `recruitment.employee.appointed` (source "import") per row written to the
outbox, all in the caller's unit of work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chassis import csvfile
from chassis.csvfile import csv_error
from chassis.domain import ConflictError, Invalid
from chassis.uow import UnitOfWork
from contracts.identifiers import nip_problem
from services.recruitment import rules
from services.recruitment.models import GENDERS, STATUSES, Employee
from services.recruitment.roster import EMPLOYEE_FIELDS, event_record, today_in_province

COLUMNS = EMPLOYEE_FIELDS  # the file's required columns are the roster's fields
OPTIONAL_COLUMN = "appointed_on"
LIMITS = {"name": 200, "unit": 64, "position": 200}
# A 422 lists at most this many rows (the message gives the total): enough to fix a file by,
# without a response of megabytes when a whole column is wrong.
MAX_REPORTED_ROWS = 1000
BATCH_SIZE = 2000  # rows per INSERT batch and per roster lookup
APPOINTED = "recruitment.employee.appointed"

RowErrors = dict[str, list[str]]


class Row(NamedTuple):
    """A valid row: a tuple, as a province's rows are all held at once (a dict costs 5x)."""

    nip: str
    name: str
    gender: str
    birth_date: date
    tmt_cpns: date
    status: str
    unit: str
    position: str
    supervisor_nip: str | None
    appointed_on: date


@dataclass
class Checked:
    """The outcome of checking a file: the valid rows (by row number) and the errors."""

    rows: dict[int, Row] = field(default_factory=dict)
    errors: dict[int, RowErrors] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)  # in the file's supervision tree
    # One object per distinct unit, position, supervisor or date: thousands of rows repeat them.
    _shared: dict[Any, Any] = field(default_factory=dict)

    def refuse(self, number: int, name: str, reason: str) -> None:
        """Record that field `name` of row `number` is refused for `reason`."""
        self.errors.setdefault(number, {}).setdefault(name, []).append(reason)

    def keep(self, number: int, values: Mapping[str, Any]) -> None:
        """Keep the valid row `number`."""
        shared = self._shared
        self.rows[number] = Row(
            *(
                value if name in ("nip", "name") else shared.setdefault(value, value)
                for name, value in ((name, values[name]) for name in Row._fields)
            )
        )


def read_csv(payload: bytes) -> tuple[int, Iterator[tuple[int, list[str]]]]:
    """The number of columns of the roster file and its data rows (`chassis.csvfile`)."""
    return csvfile.read_csv(payload, _check_header)


def _check_header(header: list[str]) -> None:
    if header in (list(COLUMNS), [*COLUMNS, OPTIONAL_COLUMN]):
        return
    expected = ",".join(COLUMNS)
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in (*COLUMNS, OPTIONAL_COLUMN)]
    detail = "; ".join(
        part
        for part in (
            f"missing {', '.join(missing)}" if missing else "",
            f"unknown {', '.join(unknown)}" if unknown else "",
        )
        if part
    )
    raise csv_error(
        "header",
        f"The header must be {expected}[,{OPTIONAL_COLUMN}] in this order"
        + (f" ({detail})." if detail else "."),
    )


def check_rows(
    session: Session, records: Iterable[tuple[int, list[str]]], width: int, today: date
) -> Checked:
    """Check every row alone, then across the file and against the roster."""
    checked = Checked()
    first_row: dict[str, int] = {}
    for number, record in records:
        nip = record[0].strip()
        if nip in first_row:
            checked.refuse(number, "nip", f"The same NIP is on row {first_row[nip]}.")
        elif nip:
            first_row[nip] = number
        if len(record) != width:
            checked.refuse(number, "_row", f"Expected {width} columns, found {len(record)}.")
            continue
        values, errors = check_row(record, today)
        for name, reasons in errors.items():
            checked.errors.setdefault(number, {}).setdefault(name, []).extend(reasons)
        if number not in checked.errors:
            checked.keep(number, values)
    _check_across(session, first_row, checked)
    return checked


def check_row(record: list[str], today: date) -> tuple[dict[str, Any], RowErrors]:
    """The values of one row, and its errors by field (a row is valid when there are none)."""
    cells = dict(zip((*COLUMNS, OPTIONAL_COLUMN), (cell.strip() for cell in record), strict=False))
    errors: RowErrors = {}
    values: dict[str, Any] = {}
    for name in ("nip", "supervisor_nip"):
        value = cells[name] or None
        if value is None and name == "nip":
            errors[name] = ["Missing data for required field."]
        elif value is not None and (problem := nip_problem(value)):
            errors[name] = [problem]
        values[name] = value
    for name, limit in LIMITS.items():
        values[name] = cells[name]
        if not cells[name]:
            errors[name] = ["Must not be blank."]
        elif len(cells[name]) > limit:
            errors[name] = [f"Longer than maximum length {limit}."]
    for name, allowed in (("gender", GENDERS), ("status", STATUSES)):
        values[name] = cells[name]
        if cells[name] not in allowed:
            errors[name] = [f"Must be one of: {', '.join(allowed)}."]
    for name in ("birth_date", "tmt_cpns", OPTIONAL_COLUMN):
        text = cells.get(name, "")
        if not text and name == OPTIONAL_COLUMN:
            continue
        values[name] = _parse_date(text)
        if values[name] is None:
            errors[name] = ["Not a valid date (YYYY-MM-DD)."]
    if errors:
        return values, errors
    values.setdefault(OPTIONAL_COLUMN, values["tmt_cpns"])  # existing staff: appointed at TMT
    return values, _agreement_errors(values, today)


def _agreement_errors(values: dict[str, Any], today: date) -> RowErrors:
    """What the row's fields say against its NIP and against each other."""
    errors: RowErrors = {
        name: [why]
        for name, why in rules.nip_disagreements(
            values["nip"],
            birth_date=values["birth_date"],
            gender=values["gender"],
            tmt_cpns=values["tmt_cpns"],
        ).items()
    }
    problem = rules.supervisor_problem(values["nip"], values["supervisor_nip"])
    if problem:
        errors["supervisor_nip"] = [problem]
    problem = rules.status_plausibility_problem(
        values["status"], tmt_cpns=values["tmt_cpns"], today=today
    )
    if problem:
        errors["status"] = [problem]
    return errors


def _parse_date(text: str) -> date | None:
    # Only YYYY-MM-DD: fromisoformat alone would also take 20150301 or 2015-W10.
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check_across(session: Session, first_row: dict[str, int], checked: Checked) -> None:
    """NIPs already on the roster, unknown supervisors, supervision loops."""
    rows = checked.rows
    wanted = {v.nip for v in rows.values()} | {v.supervisor_nip for v in rows.values()}
    wanted.discard(None)
    on_roster = nips_on_roster(session, wanted)
    for number, row in rows.items():
        if row.nip in on_roster:
            checked.refuse(number, "nip", "Already on the roster.")
        boss = row.supervisor_nip
        if boss and boss not in on_roster and boss not in first_row:
            checked.refuse(number, "supervisor_nip", "Neither on the roster nor in this file.")
    depth, loops = rules.supervision_tree(
        {v.nip: v.supervisor_nip for v in rows.values() if v.nip not in on_roster}
    )
    for loop in loops:
        numbers = sorted(first_row[nip] for nip in loop)
        shown = ", ".join(map(str, numbers[:10])) + (", ..." if len(numbers) > 10 else "")
        for nip in loop:
            checked.refuse(first_row[nip], "supervisor_nip", f"Supervision loop (rows {shown}).")
    for nip, level in depth.items():
        if level > rules.MAX_SUPERVISION_DEPTH:
            checked.refuse(
                first_row[nip],
                "supervisor_nip",
                f"The chain of supervisors is longer than {rules.MAX_SUPERVISION_DEPTH} levels.",
            )
    for number in checked.errors:
        rows.pop(number, None)
    checked.depth = depth


def nips_on_roster(session: Session, nips: Iterable[str]) -> set[str]:
    """Those of `nips` already on the roster (looked up in batches)."""
    nips = list(nips)
    found: set[str] = set()
    for start in range(0, len(nips), BATCH_SIZE):
        batch = nips[start : start + BATCH_SIZE]
        found.update(session.scalars(select(Employee.nip).where(Employee.nip.in_(batch))))
    return found


def refusal(checked: Checked) -> Invalid:
    """The refusal (a 422) listing the rows with errors (the first MAX_REPORTED_ROWS of them)."""
    numbers = sorted(checked.errors)
    listed = {str(n): checked.errors[n] for n in numbers[:MAX_REPORTED_ROWS]}
    message = f"{len(numbers)} row(s) have errors; nothing was imported."
    if len(numbers) > MAX_REPORTED_ROWS:
        message += f" The first {MAX_REPORTED_ROWS} are listed."
    return Invalid(listed, message, location="rows")


def store(uow: UnitOfWork, rows: list[Row], depth: Mapping[str, int]) -> None:
    """Insert `rows` in batches and write their events, supervisors' first (by `depth`)."""
    session = uow.session
    now = datetime.now(UTC)
    statement = insert(Employee.__table__)
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        session.execute(
            statement, [{**row._asdict(), "created_at": now, "updated_at": now} for row in batch]
        )
    ordered = sorted(rows, key=lambda row: depth.get(row.nip, 0))
    # One INSERT per batch rather than per event: a row at a time, the outbox took 60-80 % of
    # the whole import (bench/roster_import.py).
    for start in range(0, len(ordered), BATCH_SIZE):
        batch = ordered[start : start + BATCH_SIZE]
        uow.publish_many(APPOINTED, (appointed_data(row) for row in batch))


def appointed_data(row: Row) -> dict[str, Any]:
    """The `employee.appointed` data of an imported row."""
    return {
        **event_record(row._asdict()),
        "appointed_on": row.appointed_on.isoformat(),
        "source": "import",
        "unpaid_leave": [],
    }


def import_employees(
    uow: UnitOfWork, payload: bytes, *, dry_run: bool = False, today: date | None = None
) -> dict[str, Any]:
    """Check the whole CSV and, unless `dry_run` or any row is wrong, import every row."""
    width, records = read_csv(payload)
    checked = check_rows(uow.session, records, width, today or today_in_province())
    if checked.errors:
        raise refusal(checked)
    rows = list(checked.rows.values())
    if not dry_run:
        try:
            with uow.savepoint():
                store(uow, rows, checked.depth)
                uow.flush()
        except IntegrityError:
            # Another request put one of these NIPs on the roster after our check.
            raise ConflictError(
                "Some of these NIPs were put on the roster meanwhile; nothing was imported."
            ) from None
    imported = 0 if dry_run else len(rows)
    return {
        "rows": len(rows),
        "imported": imported,
        "events": imported,
        "dry_run": dry_run,
        "by_status": dict(sorted(Counter(row.status for row in rows).items())),
        "units": len({row.unit for row in rows}),
    }
