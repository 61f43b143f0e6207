"""Unit ratings, the calibration of a unit's year, and its finalization (in a unit of work).

A unit's staff are the employees the roster projection places in the unit who have a
supervisor (an appraiser) on it; the head of the province's chain, with no supervisor here, is
appraised outside this system and is not counted. Every one of them must hold a rated annual
appraisal before the year can be finalized.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError
from chassis.uow import UnitOfWork
from services.appraisal import access, ratings, rules
from services.appraisal.models import Appraisal, Employee, UnitRating


def set_unit_rating(uow: UnitOfWork, unit: str, year: int, rating: str) -> UnitRating:
    """Set (or change, until finalization) a unit's organisation rating for a year (admins)."""
    session = uow.session
    principal = uow.require_actor()
    row = session.get(UnitRating, (unit, year), with_for_update=True)
    if row is not None and row.finalized_at is not None:
        raise ConflictError(f"The year {year} of unit {unit} is finalized; its rating stays.")
    if row is None:
        row = UnitRating(unit=unit, year=year)
        session.add(row)
    row.rating = rating
    row.set_by = principal.username
    row.set_at = datetime.now(UTC)
    session.flush()
    return row


@dataclass
class Calibration:
    """A unit's year: its rating, its staff's predikat against what the rating allows."""

    unit: str
    year: int
    unit_rating: UnitRating | None
    staff: list[Employee]
    appraisals: list[Appraisal]
    unrated: list[Employee] = field(init=False)
    checks: list[rules.Check] = field(init=False)

    def __post_init__(self) -> None:
        rated = {appraisal.nip for appraisal in self.appraisals}
        self.unrated = [employee for employee in self.staff if employee.nip not in rated]
        counts = self.counts()
        self.checks = (
            rules.check_distribution(self.unit_rating.rating, counts) if self.unit_rating else []
        )

    def counts(self) -> dict[str, int]:
        return rules.distribution(appraisal.predikat for appraisal in self.appraisals)

    def blockers(self) -> list[dict[str, Any]]:
        """Why the year cannot be finalized now (empty: it can)."""
        found: list[dict[str, Any]] = []
        if self.unit_rating is None:
            found.append({"code": "UNIT_RATING_MISSING", "message": "Set the unit rating first."})
        elif self.unit_rating.finalized_at is not None:
            found.append({"code": "ALREADY_FINALIZED", "message": "The year is finalized."})
        if not self.staff:
            found.append({"code": "NO_STAFF", "message": "No appraised staff in this unit."})
        if self.unrated:
            found.append(
                {
                    "code": "APPRAISALS_MISSING",
                    "message": f"{len(self.unrated)} of {len(self.staff)} staff are not rated.",
                    "nips": [employee.nip for employee in self.unrated],
                }
            )
        found.extend(check.as_dict() for check in self.checks if check.status == "broken")
        return found

    def as_dict(self) -> dict[str, Any]:
        """The calibration view."""
        counts = self.counts()
        total = sum(counts.values())
        rating = self.unit_rating
        return {
            "unit": self.unit,
            "year": self.year,
            "unit_rating": rating.rating if rating else None,
            "finalized_at": rating.finalized_at if rating else None,
            "staff": len(self.staff),
            "rated": total,
            "distribution": {
                name: {"count": count, "percent": rules.percent(count, total)}
                for name, count in counts.items()
            },
            "rules": [check.as_dict() for check in self.checks],
            "broken_rules": [c.as_dict() for c in self.checks if c.status == "broken"],
            "unrated": [
                {"nip": e.nip, "name": e.name, "supervisor_nip": e.supervisor_nip}
                for e in self.unrated
            ],
            "blockers": self.blockers(),
        }


def require_viewer(uow: UnitOfWork, unit: str) -> None:
    """Admins and the unit's supervisors see its calibration; others 403."""
    session = uow.session
    principal = uow.require_actor()
    access.require_unit_viewer(session, principal, unit)


def calibrate(session: Session, unit: str, year: int, *, for_update: bool = False) -> Calibration:
    """The calibration of `unit` in `year` from the roster projection and the annual ratings."""
    unit_rating = session.get(UnitRating, (unit, year), with_for_update=for_update)
    staff = list(
        session.scalars(
            select(Employee)
            .where(Employee.unit == unit, Employee.supervisor_nip.is_not(None))
            .order_by(Employee.nip)
        )
    )
    nips = [employee.nip for employee in staff]
    query = select(Appraisal).where(
        Appraisal.year == year, Appraisal.period == "ANNUAL", Appraisal.nip.in_(nips)
    )
    if for_update:
        query = query.with_for_update()
    appraisals = list(session.scalars(query.order_by(Appraisal.nip))) if nips else []
    return Calibration(unit, year, unit_rating, staff, appraisals)


def finalize(uow: UnitOfWork, unit: str, year: int) -> Calibration:
    """Finalize every annual appraisal of the unit's year together, or refuse with 409 why."""
    session = uow.session
    principal = uow.require_actor()
    calibration = calibrate(session, unit, year, for_update=True)
    blockers = calibration.blockers()
    if blockers:
        codes = ", ".join(blocker["code"] for blocker in blockers)
        raise ConflictError(
            f"The year {year} of unit {unit} cannot be finalized: {codes}.",
            details={"blockers": blockers},
        )
    now = datetime.now(UTC)
    rating = calibration.unit_rating
    if rating is None:  # unreachable: a missing rating is a blocker above
        raise ConflictError(f"Unit {unit} has no rating for {year}.")
    rating.finalized_at = now
    rating.finalized_by = principal.username
    units = {employee.nip: employee.unit for employee in calibration.staff}
    for appraisal in calibration.appraisals:
        appraisal.status = "FINALIZED"
        appraisal.finalized_at = now
        appraisal.unit = units[appraisal.nip]
        appraisal.unit_rating = rating.rating
    # One statement for the unit's events, in the same transaction (a row each, in nip order).
    finalized = [(ratings.finalized_data(a), None) for a in calibration.appraisals]
    uow.publish_many(ratings.FINALIZED, finalized)
    session.flush()
    return calibration
