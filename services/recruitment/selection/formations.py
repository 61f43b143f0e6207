"""Formations (the posts to fill), passing grades per year and category, and the announcement."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis import pagination as paging
from chassis.domain import ConflictError
from chassis.uow import UnitOfWork, get_or_refuse
from services.recruitment.selection import audit, ranking, rules
from services.recruitment.selection.models import CATEGORIES, Formation, PassingGrade

GRADE_FIELDS = ("twk_min", "tiu_min", "tkp_min", "total_min")
DEFAULT_SOURCE = "KepmenPANRB 321/2024"


def create(uow: UnitOfWork, values: Mapping[str, Any]) -> Formation:
    """A new formation; 409 when its code is taken."""
    session = uow.session
    if session.scalar(select(Formation.id).where(Formation.code == values["code"])) is not None:
        raise ConflictError(f"A formation with code {values['code']} exists.")
    formation = Formation(**values, created_at=audit.now())
    uow.add_new(formation, f"A formation with code {values['code']} exists.")
    return formation


def get(session: Session, formation_id: int, *, for_update: bool = False) -> Formation:
    """The formation with `formation_id`; 404 when there is none."""
    missing = f"No formation {formation_id}."
    return get_or_refuse(session, Formation, formation_id, missing, for_update=for_update)


def search(
    session: Session,
    *,
    year: int | None = None,
    unit: str | None = None,
    page: int = 1,
    page_size: int = paging.MAX_PAGE_SIZE,
) -> dict[str, Any]:
    """A page of formations, by code, optionally of one year and/or one unit."""
    query = select(Formation).order_by(Formation.code)
    if year is not None:
        query = query.where(Formation.year == year)
    if unit is not None:
        query = query.where(Formation.unit == unit)
    return paging.page_of(session, query, page, page_size)


def check_not_announced(formation: Formation, what: str) -> None:
    """409 when the formation's results are published: they change only through an appeal."""
    if formation.announced_at is not None:
        raise ConflictError(
            f"Formation {formation.code} was announced on {formation.announced_at:%Y-%m-%d}; "
            f"{what} can change only through an accepted appeal."
        )


# -- passing grades --------------------------------------------------------------------------


def passing_grades(session: Session, year: int) -> list[dict[str, Any]]:
    """The passing grade of every category for `year`: stored ones, else the 2024 defaults."""
    stored = {
        grade.category: grade
        for grade in session.scalars(select(PassingGrade).where(PassingGrade.year == year))
    }
    return [_grade_view(year, category, stored.get(category)) for category in CATEGORIES]


def _grade_view(year: int, category: str, grade: PassingGrade | None) -> dict[str, Any]:
    if grade is not None:
        values = {name: getattr(grade, name) for name in GRADE_FIELDS}
        return {"year": year, "category": category, **values, "source": "configured"}
    default = rules.PASSING_GRADES_2024[category]
    values = {name: getattr(default, name) for name in GRADE_FIELDS}
    return {"year": year, "category": category, **values, "source": DEFAULT_SOURCE}


def set_passing_grade(
    uow: UnitOfWork, year: int, category: str, values: Mapping[str, Any], reason: str | None
) -> dict[str, Any]:
    """Configure the passing grade of `category` for `year` (audited); 409 once announced."""
    session = uow.session
    announced = session.scalar(
        select(Formation.code)
        .where(Formation.year == year, Formation.announced_at.is_not(None))
        .limit(1)
    )
    if announced is not None:
        raise ConflictError(
            f"Results of {year} are announced (formation {announced}); its passing grades are "
            "fixed."
        )
    grade = session.get(PassingGrade, (year, category), with_for_update=True)
    before = _grade_view(year, category, grade)
    changes = [(name, before[name], values.get(name)) for name in GRADE_FIELDS]
    changes = [change for change in changes if change[1] != change[2]]
    if grade is None:
        grade = PassingGrade(year=year, category=category)
        session.add(grade)
    for name in GRADE_FIELDS:
        setattr(grade, name, values.get(name))
    if changes:
        audit.record(
            session,
            "passing_grade",
            f"{year}/{category}",
            changes,
            who=uow.actor_name,
            reason=reason,
        )
    session.flush()
    return _grade_view(year, category, grade)


# -- announcement ------------------------------------------------------------------------------


def announce(uow: UnitOfWork, formation_id: int) -> Formation:
    """Rank the formation one last time and publish it; its appeal window opens now."""
    session = uow.session
    formation = get(session, formation_id, for_update=True)
    check_not_announced(formation, "its results")
    ranking.rank_formations(session, [formation.id])
    formation.announced_at = audit.now()
    formation.announced_by = uow.actor_name
    audit.record(
        session,
        "formation",
        formation.code,
        [("announced_at", None, formation.announced_at)],
        who=formation.announced_by,
        reason=None,
        at=formation.announced_at,
    )
    session.flush()
    return formation


def appeal_filing_closes(formation: Formation) -> datetime | None:
    """When filing an appeal against the formation's announcement closes (None before it)."""
    if formation.announced_at is None:
        return None
    return rules.appeal_filing_closes(formation.announced_at)
