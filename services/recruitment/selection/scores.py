"""SKD and SKB scores: single entry, bulk CSV upload, and corrections through an appeal.

A score is taken only for an applicant verified MS and only before the formation's
announcement; after it, only an accepted appeal changes it. Changing a value already entered
needs a reason. A CSV upload is all or nothing: every row is checked first, and one bad row
refuses the whole file with the reasons per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis import csvfile
from chassis.domain import ConflictError, Invalid
from chassis.uow import UnitOfWork
from services.recruitment.selection import applications, audit, rules
from services.recruitment.selection.models import Application, Formation

SKD_PARTS = ("twk", "tiu", "tkp")
SKD_HEADER = ("registration_number", *SKD_PARTS)
SKB_HEADER = ("registration_number", "skb")
CHUNK = 900  # stays under SQLite's limit of bound parameters per statement
MAX_ROW_ERRORS = 200  # enough to fix a file, not a megabyte of errors for a wrong file


def skd_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Why each SKD part in `values` is out of its range or not an allowed multiple."""
    problems = {}
    for part in SKD_PARTS:
        if part in values:
            problem = rules.skd_problem(part, values[part])
            if problem:
                problems[part] = problem
    return problems


def state_problem(application: Application, formation: Formation, *, via_appeal: bool) -> str:
    """Why the application cannot take a score now, or '' when it can."""
    if application.verification != "MS":
        return (
            f"Application {application.registration_number} is {application.verification}; "
            "scores are taken only for applicants verified MS."
        )
    if formation.announced_at is not None and not via_appeal:
        return (
            f"Formation {formation.code} is announced; its scores change only through an "
            "accepted appeal."
        )
    return ""


def apply(
    session: Session,
    application: Application,
    values: Mapping[str, Any],
    *,
    who: str,
    reason: str | None,
) -> list[tuple[str, Any, Any]]:
    """Write the scores in `values` and their audit entries; returns what changed."""
    changes = [
        (name, getattr(application, name), value)
        for name, value in values.items()
        if getattr(application, name) != value
    ]
    for name, _old, new in changes:
        setattr(application, name, new)
    if changes:
        audit.record(
            session, "application", application.registration_number, changes, who=who, reason=reason
        )
    return changes


def needs_reason(application: Application, values: Mapping[str, Any]) -> bool:
    """True when `values` would change a score already entered."""
    return any(
        getattr(application, name) is not None and getattr(application, name) != value
        for name, value in values.items()
    )


def enter(
    uow: UnitOfWork, registration_number: str, values: Mapping[str, Any], reason: str | None
) -> Application:
    """Enter or correct one applicant's scores (SKD parts and/or SKB)."""
    session = uow.session
    application = applications.get(session, registration_number, for_update=True)
    formation = session.get(Formation, application.formation_id)
    problem = state_problem(application, formation, via_appeal=False)
    if problem:
        raise ConflictError(problem)
    if "skb" in values and None in (application.twk, application.tiu, application.tkp):
        raise ConflictError(f"Application {registration_number} has no complete SKD score yet.")
    if needs_reason(application, values) and not reason:
        raise Invalid.field("reason", "Changing a score already entered needs a reason.")
    apply(session, application, values, who=uow.actor_name, reason=reason)
    session.flush()
    return application


# -- CSV upload --------------------------------------------------------------------------------


def upload(
    uow: UnitOfWork, year: int, text: str, header: Sequence[str], reason: str | None
) -> dict[str, int]:
    """Store every row of a score CSV for `year`, or none of them (422 with the bad rows)."""
    session = uow.session
    parsed, errors = parse_csv(text, header)
    found = _load(session, [row["registration_number"] for _line, row in parsed])
    changed = unchanged = 0
    checked: list[tuple[Application, dict[str, Any]]] = []
    for line, row in parsed:
        problem = _row_problem(found.get(row["registration_number"]), row, year, reason)
        if problem:
            errors.setdefault(str(line), []).append(problem)
        elif not errors:
            checked.append((found[row["registration_number"]][0], row))
    if errors:
        raise _csv_error(errors)
    who = uow.actor_name
    for application, row in checked:
        values = {name: row[name] for name in header[1:]}
        if apply(session, application, values, who=who, reason=reason):
            changed += 1
        else:
            unchanged += 1
    session.flush()
    return {"rows": len(checked), "changed": changed, "unchanged": unchanged}


def _row_problem(
    found: tuple[Application, Formation] | None,
    row: dict[str, Any],
    year: int,
    reason: str | None,
) -> str:
    if found is None:
        return f"No application {row['registration_number']}."
    application, formation = found
    if application.year != year:
        return (
            f"Application {application.registration_number} is in the {application.year} selection."
        )
    problem = state_problem(application, formation, via_appeal=False)
    if problem:
        return problem
    if "skb" in row and None in (application.twk, application.tiu, application.tkp):
        return f"Application {application.registration_number} has no complete SKD score yet."
    values = {name: value for name, value in row.items() if name != "registration_number"}
    if needs_reason(application, values) and not reason:
        return "Changes a score already entered: give the reason (query parameter `reason`)."
    return ""


def _load(session: Session, numbers: list[str]) -> dict[str, tuple[Application, Formation]]:
    found: dict[str, tuple[Application, Formation]] = {}
    for start in range(0, len(numbers), CHUNK):
        query = (
            select(Application, Formation)
            .join(Formation, Formation.id == Application.formation_id)
            .where(Application.registration_number.in_(numbers[start : start + CHUNK]))
            .with_for_update(of=Application)
        )
        for application, formation in session.execute(query):
            found[application.registration_number] = (application, formation)
    return found


def parse_csv(text: str | bytes, header: Sequence[str]) -> tuple[list[tuple[int, dict]], dict]:
    """Rows of a score CSV with their line numbers, and the problems per line (the file read
    by the one CSV reader of every upload, chassis.csvfile)."""
    payload = text.encode("utf-8") if isinstance(text, str) else text
    try:
        first, records = csvfile.read_csv(payload)
        if first == list(header):
            return _checked_rows(records, header)
        unreadable = None
    except Invalid as refused:  # the file itself cannot be read (csvfile): refused whole
        unreadable = refused.problems
    if unreadable is not None:
        raise _csv_error(unreadable)
    raise _csv_error({"1": [f"The first line must be the header: {','.join(header)}."]})


def _checked_rows(
    records: Iterable[tuple[int, list[str]]], header: Sequence[str]
) -> tuple[list[tuple[int, dict]], dict]:
    rows: list[tuple[int, dict]] = []
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        row, problems = _parse_row(cells, header)
        number = row.get("registration_number")
        if number and number in seen:
            problems.append(f"Registration number {number} is also on line {seen[number]}.")
        elif number:
            seen[number] = line
        if problems:
            errors[str(line)] = problems
        else:
            rows.append((line, row))
    if not rows and not errors:
        raise _csv_error({"2": ["The file has no rows after the header."]})
    return rows, errors


def _parse_row(cells: list[str], header: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    if len(cells) != len(header):
        return {}, [f"Expected {len(header)} values ({','.join(header)}), found {len(cells)}."]
    row: dict[str, Any] = {"registration_number": cells[0].strip()}
    problems: list[str] = []
    if not row["registration_number"]:
        problems.append("registration_number: missing.")
    for name, cell in zip(header[1:], cells[1:], strict=True):
        value, problem = _number(name, cell.strip())
        if problem:
            problems.append(f"{name}: {problem}")
        else:
            row[name] = value
    if not problems and "skb" in row:
        problem = rules.skb_problem(row["skb"])
        if problem:
            problems.append(f"skb: {problem}")
    problems += [f"{part}: {why}" for part, why in skd_problems(row).items()]
    return row, problems


def _number(name: str, cell: str) -> tuple[Any, str]:
    if name == "skb":
        try:
            value = Decimal(cell)
        except InvalidOperation:
            return None, f"{cell[:40]!r} is not a number."
        return (value, "") if value.is_finite() else (None, f"{cell[:40]!r} is not a number.")
    value = csvfile.whole_number(cell)
    return (None, f"{cell[:40]!r} is not a whole number.") if value is None else (value, "")


def _csv_error(errors: dict[str, list[str]]) -> Invalid:
    shown = dict(list(errors.items())[:MAX_ROW_ERRORS])
    more = len(errors) - len(shown)
    message = f"The file was refused: {len(errors)} line(s) have problems; nothing was stored."
    if more:
        message += f" The first {len(shown)} are listed."
    return Invalid(shown, message, location="csv")
