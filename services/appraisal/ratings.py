"""Ratings by the appraiser and how they are read and published (the unit of work commits)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, NotFoundError
from chassis.uow import UnitOfWork, get_or_refuse
from contracts.appraisal import BERAKHLAK_VALUES
from services.appraisal import access, plans, rules
from services.appraisal.models import Appraisal, UnitRating

FINALIZED = "appraisal.appraisal.finalized"


def appraisal_id(nip: str, year: int, period: str) -> str:
    """The stable id of an employee's appraisal for a period: `<nip>-<year>-<period>`."""
    return f"{nip}-{year}-{period}"


def rate(
    uow: UnitOfWork,
    nip: str,
    year: int,
    period: str,
    values: Mapping[str, Any],
) -> Appraisal:
    """Record (or, until finalization, replace) the supervisor's rating and its predikat."""
    session = uow.session
    principal = uow.require_actor()
    subject = access.employee(session, nip)
    access.require_appraiser(principal, subject)
    plans.require_open(session, year, period)
    plan = plans.agreed_plan(session, nip, year, period)
    if period == "ANNUAL":
        # Locked: a finalization of this unit-year waits for this rating, or this one sees it.
        unit_rating = session.get(UnitRating, (subject.unit, year), with_for_update=True)
        if unit_rating is not None and unit_rating.finalized_at is not None:
            raise ConflictError(f"The year {year} of unit {subject.unit} is finalized already.")
    key = appraisal_id(nip, year, period)
    appraisal = session.get(Appraisal, key, with_for_update=True)
    if appraisal is not None and appraisal.status == "FINALIZED":
        raise ConflictError("This appraisal is finalized; only an objection can change it.")
    if appraisal is None:
        appraisal = Appraisal(id=key, nip=nip, year=year, period=period, revision=1)
        session.add(appraisal)
    appraisal.unit = subject.unit
    appraisal.appraiser_nip = principal.nip
    appraisal.skp_id = plan.id
    apply_ratings(appraisal, values)
    appraisal.status = "RATED"
    appraisal.rated_at = datetime.now(UTC)
    session.flush()
    return appraisal


def apply_ratings(appraisal: Appraisal, values: Mapping[str, Any]) -> None:
    """Set the ratings given in `values` (and comments) and compute the predikat."""
    appraisal.results_rating = values["results_rating"]
    appraisal.behaviour_rating = values["behaviour_rating"]
    if "behaviour_values" in values:
        appraisal.behaviour_values = {
            name: values["behaviour_values"][name] for name in BERAKHLAK_VALUES
        }
    for comment in ("results_comment", "behaviour_comment"):
        if comment in values:
            setattr(appraisal, comment, values[comment])
    appraisal.predikat = rules.predikat(appraisal.results_rating, appraisal.behaviour_rating)


def get(session: Session, key: str, *, for_update: bool = False) -> Appraisal:
    """The appraisal with id `key`; 404 when none."""
    missing = f"No appraisal {key}."
    return get_or_refuse(session, Appraisal, key, missing, for_update=for_update)


def read(uow: UnitOfWork, nip: str, year: int, period: str) -> Appraisal:
    """One appraisal, for the employee, their supervisor, its appraiser or admins."""
    session = uow.session
    principal = uow.require_actor()
    subject = access.employee(session, nip)
    appraisal = session.get(Appraisal, appraisal_id(nip, year, period))
    access.require_reader(principal, subject, [appraisal.appraiser_nip if appraisal else None])
    if appraisal is None:
        raise NotFoundError(f"No appraisal of {nip} for {period} {year}.")
    return appraisal


def list_for(uow: UnitOfWork, nip: str, year: int | None) -> list[Appraisal]:
    """An employee's appraisals (optionally of one year), for those who may read them."""
    session = uow.session
    principal = uow.require_actor()
    subject = access.employee(session, nip)
    query = select(Appraisal).where(Appraisal.nip == nip)
    if year is not None:
        query = query.where(Appraisal.year == year)
    found = list(session.scalars(query.order_by(Appraisal.year.desc(), Appraisal.period)))
    return access.readable(principal, subject, found)


def publish_finalized(uow: UnitOfWork, appraisal: Appraisal) -> None:
    """Publish `appraisal.appraisal.finalized` for `appraisal` in the unit of work."""
    uow.publish(FINALIZED, finalized_data(appraisal))


def finalized_data(appraisal: Appraisal) -> dict[str, Any]:
    """The data of `appraisal.appraisal.finalized` for `appraisal` (contracts/appraisal.py)."""
    data: dict[str, Any] = {
        "appraisal_id": appraisal.id,
        "nip": appraisal.nip,
        "unit": appraisal.unit,
        "appraiser_nip": appraisal.appraiser_nip,
        "year": appraisal.year,
        "period": appraisal.period,
        "results_rating": appraisal.results_rating,
        "behaviour_rating": appraisal.behaviour_rating,
        "behaviour_values": dict(appraisal.behaviour_values),
        "predikat": appraisal.predikat,
        "finalized_at": appraisal.finalized_at.isoformat(),
    }
    if appraisal.unit_rating is not None:
        data["unit_rating"] = appraisal.unit_rating
    return data
