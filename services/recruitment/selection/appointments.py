"""Optimisation of empty posts and the appointment of the selected as CPNS.

Both come after the appeals: every formation of the year with applicants is announced, its
filing window has closed and no appeal waits for a decision. The appointment puts each
selected applicant on the roster through `roster.appoint(..., source="selection")`, which
publishes `recruitment.employee.appointed` (never with the NIK: the roster has none).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, Invalid
from chassis.uow import UnitOfWork
from contracts.identifiers import make_nip
from services.recruitment import roster
from services.recruitment.models import Employee
from services.recruitment.selection import audit, optimisation, rules
from services.recruitment.selection.models import (
    Appeal,
    Application,
    Appointment,
    Formation,
    SelectionResult,
)

APPOINTABLE = ("SELECTED", "OPTIMISED")
MAX_SEQUENCE = 999


def check_appeals_over(session: Session, year: int) -> None:
    """409 unless every formation of `year` with applicants is announced, past its appeal
    window, and no appeal of `year` waits for a decision."""
    # Aggregates rather than every formation as an object: a national year has 250,000.
    with_applicants = and_(
        Formation.year == year, Formation.id.in_(select(Application.formation_id))
    )
    waiting_code = session.scalar(
        select(Formation.code)
        .where(with_applicants, Formation.announced_at.is_(None))
        .order_by(Formation.code)
        .limit(1)
    )
    if waiting_code is not None:
        raise ConflictError(f"Formation {waiting_code} is not announced yet.")
    # The window that closes last is that of the latest announcement.
    latest = session.execute(
        select(Formation.code, Formation.announced_at)
        .where(with_applicants)
        .order_by(Formation.announced_at.desc(), Formation.code)
        .limit(1)
    ).first()
    if latest is not None:
        closes = rules.appeal_filing_closes(latest.announced_at)
        if audit.now() < closes:
            raise ConflictError(
                f"Appeals against formation {latest.code} can be filed until {closes.isoformat()}."
            )
    waiting = session.scalar(
        select(func.count())
        .select_from(Appeal)
        .join(Application, Application.id == Appeal.application_id)
        .where(Application.year == year, Appeal.status == "FILED")
    )
    if waiting:
        raise ConflictError(f"{waiting} appeal(s) of {year} wait for a decision.")


def optimise(uow: UnitOfWork, year: int) -> dict[str, Any]:
    """Fill the empty posts of `year` from the next-ranked eligible applicants (audited)."""
    session = uow.session
    check_appeals_over(session, year)
    # Optimisation only turns NOT_SELECTED into OPTIMISED and back (appointed applicants keep
    # theirs), so the OPTIMISED before and the moves made tell every change; kept as ids only,
    # since a national year has some 135,000 of them.
    before = _optimised(session, year)
    done = optimisation.optimise(session, year)
    after = {application: into for application, _from, into in done.moves}
    summary = {"year": year, "empty": done.empty, "filled": done.filled}
    del done
    changed = sorted(a for a in before.keys() | after.keys() if before.get(a) != after.get(a))
    who, at = uow.actor_name, audit.now()
    for start in range(0, len(changed), audit.BATCH):
        batch = changed[start : start + audit.BATCH]
        numbers = _lookup(session, Application.registration_number, Application.id, batch)
        formations = {before.get(a) for a in batch} | {after.get(a) for a in batch}
        codes = _lookup(session, Formation.code, Formation.id, [f for f in formations if f])
        entries = []
        for application in batch:
            old, new = before.get(application), after.get(application)
            entries.extend(
                (numbers[application], field, old_value, new_value)
                for field, old_value, new_value in (
                    ("outcome", _outcome(old), _outcome(new)),
                    ("optimised_into", codes.get(old), codes.get(new)),
                )
                if old_value != new_value
            )
        audit.record_many(
            session, "application", entries, who=who, reason="Optimisation of empty posts", at=at
        )
    counts = session.execute(
        select(SelectionResult.outcome, func.count())
        .join(Application, Application.id == SelectionResult.application_id)
        .where(Application.year == year)
        .group_by(SelectionResult.outcome)
    ).all()
    outcomes = dict(sorted((outcome, n) for outcome, n in counts))
    return {**summary, "changed": len(changed), "outcomes": outcomes}


def _outcome(into: int | None) -> str:
    return "OPTIMISED" if into else "NOT_SELECTED"


def _optimised(session: Session, year: int) -> dict[int, int]:
    """{application id: formation filled} of the OPTIMISED of `year` not appointed."""
    query = (
        select(SelectionResult.application_id, SelectionResult.optimised_into)
        .join(Application, Application.id == SelectionResult.application_id)
        .outerjoin(Appointment, Appointment.application_id == SelectionResult.application_id)
        .where(
            Application.year == year,
            SelectionResult.outcome == "OPTIMISED",
            Appointment.application_id.is_(None),
        )
    )
    return dict(session.execute(query).all())


def _lookup(session: Session, value, key, keys: list[int]) -> dict[int, Any]:
    """{key: value} for a batch of keys (one query)."""
    return dict(session.execute(select(key, value).where(key.in_(keys))).all())


def appoint(uow: UnitOfWork, year: int, tmt: date) -> dict[str, Any]:
    """Appoint every selected or optimised applicant of `year` not appointed yet, as CPNS
    from `tmt`; 409 (and nobody appointed) if that would exceed a formation's quota."""
    session = uow.session
    check_appeals_over(session, year)
    candidates = _candidates(session, year)
    formations = _check_quotas(session, candidates)
    who, at = uow.actor_name, audit.now()
    appointed = []
    for application, formation_id in candidates:
        formation = formations[formation_id]
        nip = next_nip(session, application, tmt)
        values = {
            "nip": nip,
            "name": application.name,
            "gender": application.gender,
            "birth_date": application.birth_date,
            "tmt_cpns": tmt,
            "status": "CPNS",
            "unit": formation.unit,
            "position": formation.position,
            "supervisor_nip": None,
            "appointed_on": tmt,
        }
        roster.appoint(uow, values, source="selection")
        session.add(
            Appointment(
                application_id=application.id,
                nip=nip,
                formation_id=formation.id,
                appointed_at=at,
                appointed_by=who,
            )
        )
        audit.record(
            session,
            "application",
            application.registration_number,
            [("nip", None, nip)],
            who=who,
            reason=f"Appointed CPNS in {formation.code} from {tmt.isoformat()}",
            at=at,
        )
        session.flush()
        appointed.append(
            {
                "registration_number": application.registration_number,
                "nip": nip,
                "formation_code": formation.code,
                "unit": formation.unit,
                "position": formation.position,
            }
        )
    return {"year": year, "tmt_cpns": tmt, "appointed": appointed}


def _candidates(session: Session, year: int) -> list[tuple[Application, int]]:
    query = (
        select(Application, SelectionResult)
        .join(SelectionResult, SelectionResult.application_id == Application.id)
        .outerjoin(Appointment, Appointment.application_id == Application.id)
        .where(
            Application.year == year,
            SelectionResult.outcome.in_(APPOINTABLE),
            Application.withdrawn.is_(False),
            Appointment.application_id.is_(None),
        )
        .order_by(Application.formation_id, SelectionResult.rank, Application.registration_number)
    )
    return [
        (application, result.optimised_into or application.formation_id)
        for application, result in session.execute(query)
    ]


def _check_quotas(
    session: Session, candidates: list[tuple[Application, int]]
) -> dict[int, Formation]:
    wanted = Counter(formation_id for _application, formation_id in candidates)
    formations: dict[int, Formation] = {}
    over = []
    for formation_id, count in sorted(wanted.items()):
        formation = session.get(Formation, formation_id, with_for_update=True)
        formations[formation_id] = formation
        already = session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.formation_id == formation_id)
        )
        if already + count > formation.quota:
            over.append(f"{formation.code} ({already} + {count} > quota {formation.quota})")
    if over:
        raise ConflictError("Appointing would exceed the quota of: " + "; ".join(over) + ".")
    return formations


def next_nip(session: Session, application: Application, tmt: date) -> str:
    """The NIP with the lowest sequence free on the roster for this birth date, TMT, gender."""
    try:
        prefix = make_nip(application.birth_date, tmt.year, tmt.month, application.gender, 1)[:15]
    except ValueError as exc:
        raise Invalid.field(
            "tmt_cpns", f"Application {application.registration_number}: {exc}"
        ) from None
    taken = set(session.scalars(select(Employee.nip).where(Employee.nip.startswith(prefix))))
    taken |= set(session.scalars(select(Appointment.nip).where(Appointment.nip.startswith(prefix))))
    sequences = {int(nip[15:]) for nip in taken}
    sequence = next((n for n in range(1, MAX_SEQUENCE + 1) if n not in sequences), None)
    if sequence is None:
        raise ConflictError(f"No NIP sequence is free for prefix {prefix}.")
    return prefix + f"{sequence:03d}"
