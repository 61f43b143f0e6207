"""Performance periods and SKP plans: each change in the caller's unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, NotAllowed, NotFoundError
from chassis.uow import UnitOfWork, get_or_refuse
from services.appraisal import access
from services.appraisal.models import Period, SkpPlan


def list_periods(session: Session) -> list[Period]:
    """Every period, newest year first."""
    return list(session.scalars(select(Period).order_by(Period.year.desc(), Period.kind)))


def open_period(uow: UnitOfWork, year: int, kind: str) -> Period:
    """Open a new period (admins); 409 when it exists."""
    session = uow.session
    if session.get(Period, (year, kind)) is not None:
        raise ConflictError(f"The period {kind} {year} exists already.")
    now = datetime.now(UTC)
    period = Period(year=year, kind=kind, status="OPEN", created_at=now, updated_at=now)
    uow.add_new(period, f"The period {kind} {year} exists already.")
    return period


def set_period_status(uow: UnitOfWork, year: int, kind: str, status: str) -> Period:
    """Close or reopen a period (admins)."""
    session = uow.session
    period = session.get(Period, (year, kind), with_for_update=True)
    if period is None:
        raise NotFoundError(f"No period {kind} {year}.")
    if period.status != status:
        period.status = status
        period.updated_at = datetime.now(UTC)
    return period


def require_open(session: Session, year: int, kind: str) -> Period:
    """The period, which must exist and be open (409 otherwise: plans and ratings wait)."""
    period = session.get(Period, (year, kind))
    if period is None or period.status != "OPEN":
        state = "does not exist" if period is None else "is closed"
        raise ConflictError(
            f"The period {kind} {year} {state}; plans and ratings need an open one."
        )
    return period


def create_plan(uow: UnitOfWork, values: Mapping[str, Any]) -> SkpPlan:
    """A new SKP in DRAFT, written by the employee or by their supervisor."""
    session = uow.session
    principal = uow.require_actor()
    subject = access.employee(session, values["nip"])
    if principal.nip != subject.nip and not access.is_supervisor_of(principal, subject):
        raise NotAllowed("Only the employee or their supervisor may write their SKP.")
    require_open(session, values["year"], values["period"])
    key = {"nip": subject.nip, "year": values["year"], "period": values["period"]}
    if session.scalar(select(SkpPlan.id).filter_by(**key)) is not None:
        raise ConflictError(f"{subject.nip} has an SKP for {key['period']} {key['year']} already.")
    now = datetime.now(UTC)
    plan = SkpPlan(
        **key,
        items=[dict(item) for item in values["items"]],
        status="DRAFT",
        created_by=principal.username,
        created_at=now,
        updated_at=now,
    )
    uow.add_new(plan, f"{subject.nip} has an SKP for this period already.")
    return plan


def get_plan(session: Session, plan_id: int, *, for_update: bool = False) -> SkpPlan:
    """The SKP with `plan_id`; 404 when none."""
    missing = f"No SKP with id {plan_id}."
    return get_or_refuse(session, SkpPlan, plan_id, missing, for_update=for_update)


def read_plan(uow: UnitOfWork, plan_id: int) -> SkpPlan:
    """The SKP, for the employee, their supervisor, its appraiser or admins."""
    session = uow.session
    principal = uow.require_actor()
    plan = get_plan(session, plan_id)
    access.require_reader(principal, access.employee(session, plan.nip), [plan.appraiser_nip])
    return plan


def revise_plan(uow: UnitOfWork, plan_id: int, items: list[Mapping[str, Any]]) -> SkpPlan:
    """New items for a DRAFT SKP; any agreement given so far is withdrawn."""
    session = uow.session
    principal = uow.require_actor()
    plan = get_plan(session, plan_id, for_update=True)
    subject = access.employee(session, plan.nip)
    if principal.nip != subject.nip and not access.is_supervisor_of(principal, subject):
        raise NotAllowed("Only the employee or their supervisor may change their SKP.")
    if plan.status != "DRAFT":
        raise ConflictError("An agreed SKP cannot be changed.")
    plan.items = [dict(item) for item in items]
    plan.employee_agreed_at = plan.appraiser_agreed_at = plan.appraiser_nip = None
    plan.updated_at = datetime.now(UTC)
    return plan


def agree(uow: UnitOfWork, plan_id: int) -> SkpPlan:
    """The caller's agreement (employee or appraiser); AGREED once both have agreed."""
    session = uow.session
    principal = uow.require_actor()
    plan = get_plan(session, plan_id, for_update=True)
    subject = access.employee(session, plan.nip)
    now = datetime.now(UTC)
    if plan.status == "AGREED":
        raise ConflictError("This SKP is agreed already.")
    if principal.nip is not None and principal.nip == subject.nip:
        plan.employee_agreed_at = plan.employee_agreed_at or now
    elif access.is_supervisor_of(principal, subject):
        plan.appraiser_agreed_at = now
        plan.appraiser_nip = principal.nip
    else:
        raise NotAllowed("Only the employee and their supervisor agree an SKP.")
    if plan.employee_agreed_at and plan.appraiser_agreed_at:
        plan.status = "AGREED"
    plan.updated_at = now
    return plan


def agreed_plan(session: Session, nip: str, year: int, period: str) -> SkpPlan:
    """The employee's agreed SKP for the period; 409 when there is none (rating waits for it)."""
    plan = session.scalar(select(SkpPlan).filter_by(nip=nip, year=year, period=period))
    if plan is None or plan.status != "AGREED":
        raise ConflictError(
            f"{nip} has no agreed SKP for {period} {year}; a rating is against an agreed SKP."
        )
    return plan
