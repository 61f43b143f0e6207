"""Sofifi Berprestasi programmes and nominations: workflows on a unit of work (no HTTP here)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, Invalid, NotAllowed, NotFoundError, refuse_if
from chassis.principal import Principal
from chassis.uow import UnitOfWork
from services.awards import rules, scoring
from services.awards.models import Eligibility, Employee
from services.awards.tables import (
    Category,
    Commendation,
    Criterion,
    Decision,
    Nomination,
    Programme,
    Recusal,
    ScoreSheet,
    StaffRecord,
)

# Recruitment refuses chains of supervisors longer than 64 (its README).
CHAIN_LIMIT = 64
MAX_ID = 2**31 - 1
PROGRAMME_FIELDS = ("year", "title", "total_budget", "min_scorers", *scoring.TIMELINE)


def programme_id(year: int) -> str:
    """The id of a year's programme: one Sofifi Berprestasi per performance year."""
    return f"SB-{year}"


# -- programmes -----------------------------------------------------------------------------


def create_programme(uow: UnitOfWork, data: Mapping[str, Any]) -> dict[str, Any]:
    """Publish a year's programme with its categories, weighted criteria, budget and timeline."""
    actor = uow.require_actor()
    problems = scoring.timeline_problems(data, data["year"])
    problems |= scoring.criteria_problems({c["code"]: c["weight"] for c in data["criteria"]})
    for key in ("categories", "criteria"):
        codes = [item["code"] for item in data[key]]
        if len(set(codes)) != len(codes):
            problems[key] = "Each code appears once."
    refuse_if(problems)
    session = uow.session
    pid = programme_id(data["year"])
    if session.get(Programme, pid) is not None:
        raise ConflictError(f"The programme for {data['year']} exists already ({pid}).")
    session.add(
        Programme(
            id=pid,
            **{name: data[name] for name in PROGRAMME_FIELDS},
            created_by=actor.username,
            created_at=datetime.now(UTC),
        )
    )
    uow.flush()  # the programme first: categories and criteria refer to it
    for position, item in enumerate(data["categories"]):
        session.add(Category(programme_id=pid, position=position, **item))
    for position, item in enumerate(data["criteria"]):
        session.add(Criterion(programme_id=pid, position=position, **item))
    uow.flush()
    return read_programme(session, pid)


def change_timeline(uow: UnitOfWork, pid: str, dates: Mapping[str, Any]) -> dict[str, Any]:
    """Move the timeline's dates (before the decision only)."""
    programme = _programme(uow.session, pid, lock=True)
    if uow.session.get(Decision, pid) is not None:
        raise ConflictError("The programme is decided; its timeline is history now.")
    merged = {name: dates.get(name) or getattr(programme, name) for name in scoring.TIMELINE}
    refuse_if(scoring.timeline_problems(merged, programme.year))
    for name, value in merged.items():
        setattr(programme, name, value)
    uow.flush()
    return read_programme(uow.session, pid)


def read_programme(session: Session, pid: str) -> dict[str, Any]:
    """A programme with its categories, criteria and whether it is decided."""
    programme = _programme(session, pid)
    decision = session.get(Decision, pid)
    return {
        "id": programme.id,
        **{name: getattr(programme, name) for name in PROGRAMME_FIELDS},
        "categories": categories_of(session, pid),
        "criteria": criteria_of(session, pid),
        "decided_at": decision.decided_at if decision else None,
    }


def list_programmes(session: Session) -> list[dict[str, Any]]:
    """Every programme, newest year first."""
    pids = session.scalars(select(Programme.id).order_by(Programme.year.desc()))
    return [read_programme(session, pid) for pid in pids]


def categories_of(session: Session, pid: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Category).where(Category.programme_id == pid).order_by(Category.position)
    )
    return [
        {
            "code": c.code,
            "name": c.name,
            "quota": c.quota,
            "incentive_amount": c.incentive_amount,
            "self_nomination": c.self_nomination,
        }
        for c in rows
    ]


def criteria_of(session: Session, pid: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Criterion).where(Criterion.programme_id == pid).order_by(Criterion.position)
    )
    return [
        {"code": c.code, "name": c.name, "description": c.description, "weight": c.weight}
        for c in rows
    ]


def _programme(session: Session, pid: str, *, lock: bool = False) -> Programme:
    programme = session.get(Programme, pid, with_for_update=lock)
    if programme is None:
        raise NotFoundError(f"No programme {pid}.")
    return programme


# -- nominations ----------------------------------------------------------------------------


def nominate(uow: UnitOfWork, pid: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Nominate an eligible employee: by a supervisor above them, or themself where allowed."""
    actor = uow.require_actor()
    session = uow.session
    programme = _programme(session, pid)
    today = scoring.today_wit()
    if not scoring.in_window(today, programme.nominations_open, programme.nominations_close):
        raise ConflictError(
            f"Nominations are open from {programme.nominations_open} to "
            f"{programme.nominations_close} (today is {today}, WIT)."
        )
    category = session.get(Category, (pid, data["category"]))
    if category is None:
        raise Invalid.field("category", f"Not a category of {pid}.")
    nip = data["nip"]
    employee = session.get(Employee, nip)
    if employee is None:
        raise Invalid.field("nip", "No employee with this NIP is known here.")
    _check_eligible(session, nip, programme.year)
    self_nominated = actor.nip == nip
    _check_nominator(session, actor, nip, category, self_nominated)
    nomination = Nomination(
        programme_id=pid,
        category=category.code,
        nip=nip,
        name=employee.name,
        unit=employee.unit,
        position=employee.position,
        nominated_by=actor.username,
        nominator_nip=actor.nip,
        self_nominated=self_nominated,
        statement=data["statement"],
        evidence=list(data.get("evidence") or []),
        submitted_at=datetime.now(UTC),
    )
    try:
        with uow.savepoint():
            session.add(nomination)
            uow.flush()
    except IntegrityError:
        raise ConflictError(f"{nip} is already nominated in {pid}.") from None
    return read_nomination(session, nomination.id, actor)


def _check_eligible(session: Session, nip: str, year: int) -> None:
    decision = session.get(Eligibility, (nip, year, rules.PROGRAMME))
    if decision is None:
        raise Invalid.field("nip", f"No eligibility for {year} has been determined for {nip}.")
    if not decision.eligible:
        negative = [r["code"] for r in decision.reasons if r["code"] not in rules.POSITIVE]
        raise Invalid.field("nip", f"Not eligible for {year}: {', '.join(negative)}.")


def _check_nominator(
    session: Session, actor: Principal, nip: str, category: Category, self_nominated: bool
) -> None:
    if self_nominated:
        if not category.self_nomination:
            raise NotAllowed(f"Category {category.code} does not take self-nominations.")
        return
    chain = chain_of(session, nip)
    if not actor.has_any(("supervisor",)) or actor.nip is None or actor.nip not in chain:
        raise NotAllowed(
            "Only the nominee's supervisor or a head above them in the supervision chain "
            "may nominate them."
        )


def chain_of(session: Session, nip: str) -> tuple[str, ...]:
    """The supervisors above `nip`, nearest first, read one level at a time (a chain is short;
    the roster is not)."""
    known: dict[str, str | None] = {}
    current: str | None = nip
    while current is not None and current not in known and len(known) <= CHAIN_LIMIT:
        record = session.get(StaffRecord, current)
        known[current] = record.supervisor_nip if record is not None else None
        current = known[current]
    return scoring.supervision_chain(nip, known)


def read_nomination(session: Session, nomination_id: int, actor: Principal) -> dict[str, Any]:
    """A nomination with its evidence and the citizens' commendations of its year."""
    nomination = nomination_or_404(session, nomination_id)
    committee = actor.has_any(("admin", "committee"))
    if not committee and actor.username != nomination.nominated_by and actor.nip != nomination.nip:
        raise NotAllowed("Only the committee, BKD, the nominator and the nominee read it.")
    programme = session.get(Programme, nomination.programme_id)
    return {
        **nomination_summary(nomination),
        "statement": nomination.statement,
        "evidence": nomination.evidence,
        "commendations": commendations(session, nomination.nip, programme.year),
        **member_standing(session, nomination, actor),
    }


def nomination_summary(n: Nomination) -> dict[str, Any]:
    return {
        "id": n.id,
        "programme_id": n.programme_id,
        "category": n.category,
        "nip": n.nip,
        "name": n.name,
        "unit": n.unit,
        "position": n.position,
        "nominated_by": n.nominated_by,
        "self_nominated": n.self_nominated,
        "submitted_at": n.submitted_at,
    }


def list_nominations(
    session: Session, pid: str, actor: Principal, category: str | None
) -> list[dict[str, Any]]:
    """A programme's nominations (oldest first) with the caller's own scoring status."""
    year = _programme(session, pid).year
    query = select(Nomination).where(Nomination.programme_id == pid)
    if category is not None:
        query = query.where(Nomination.category == category)
    nominees = query.with_only_columns(Nomination.nip).scalar_subquery()
    counts = dict(
        session.execute(
            select(Commendation.nip, func.count())
            .where(Commendation.nip.in_(nominees), _in_year(year))
            .group_by(Commendation.nip)
        ).all()
    )
    return [
        {
            **nomination_summary(n),
            "commendation_count": counts.get(n.nip, 0),
            **member_standing(session, n, actor),
        }
        for n in session.scalars(query.order_by(Nomination.id))
    ]


def commendations(session: Session, nip: str, year: int) -> list[dict[str, Any]]:
    """The year's commendations of `nip` (no tracking number: it opens the citizen's report)."""
    rows = session.scalars(
        select(Commendation)
        .where(Commendation.nip == nip, _in_year(year))
        .order_by(Commendation.recorded_on)
    )
    return [{"recorded_on": c.recorded_on, "unit": c.unit} for c in rows]


def _in_year(year: int) -> Any:
    return Commendation.recorded_on.between(date(year, 1, 1), date(year, 12, 31))


def nomination_or_404(session: Session, nomination_id: int) -> Nomination:
    # A path may carry any integer; one beyond the column's range names no nomination.
    in_range = 1 <= nomination_id <= MAX_ID
    nomination = session.get(Nomination, nomination_id) if in_range else None
    if nomination is None:
        raise NotFoundError(f"No nomination {nomination_id}.")
    return nomination


def member_standing(session: Session, nomination: Nomination, actor: Principal) -> dict[str, Any]:
    """For a committee member: `my_status` SCORED, RECUSED or TO_SCORE and `my_recusal`, why."""
    if not actor.has_any(("committee",)):
        return {"my_status": None, "my_recusal": None}
    if session.get(ScoreSheet, (nomination.id, actor.username)) is not None:
        return {"my_status": "SCORED", "my_recusal": None}
    reason = recusal_reason(session, nomination, actor)
    return {"my_status": "TO_SCORE" if reason is None else "RECUSED", "my_recusal": reason}


def recusal_reason(session: Session, nomination: Nomination, actor: Principal) -> str | None:
    """Why `actor` may not score `nomination`: declared, or a conflict the system finds."""
    declared = session.get(Recusal, (nomination.id, actor.username))
    if declared is not None:
        return declared.reason
    nominee = scoring.Nominee(
        nip=nomination.nip,
        unit=nomination.unit,
        chain=chain_of(session, nomination.nip),
        nominated_by=nomination.nominated_by,
        nominator_nip=nomination.nominator_nip,
    )
    return scoring.conflict(scoring.Member(actor.username, actor.nip, actor.unit), nominee)
