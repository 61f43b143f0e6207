"""The public list of a year's awardees: no token, no personal data beyond name, unit, position."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.domain import NotFoundError
from services.awards import programmes, scoring
from services.awards.tables import Decision, Grant, Programme


def awardees(session: Session, year: int) -> dict[str, Any]:
    """The year's awardees by category and by unit, the criteria, and the aggregate scores.

    Shown from the announcement day once the programme is decided; before that the list does
    not exist for the public (404). Withdrawn awards are left out.
    """
    in_range = 1950 <= year <= 2200  # the years a programme can have (schemas.YEAR)
    programme = (
        session.scalar(select(Programme).where(Programme.year == year)) if in_range else None
    )
    decision = session.get(Decision, programme.id) if programme is not None else None
    if programme is None or decision is None or scoring.today_wit() < programme.announcement_on:
        raise NotFoundError(f"No Sofifi Berprestasi {year} has been announced.")
    grants = session.scalars(
        select(Grant)
        .where(Grant.programme_id == programme.id, Grant.revoked_on.is_(None))
        .order_by(Grant.rank, Grant.name)
    ).all()
    scored = {r["nomination_id"]: r for r in decision.results}
    people = [_person(g, scored.get(g.nomination_id, {})) for g in grants]
    categories = []
    for category in programmes.categories_of(session, programme.id):
        listed = [p for p in people if p["category"] == category["code"]]
        categories.append(
            {
                "code": category["code"],
                "name": category["name"],
                "quota": category["quota"],
                "incentive_amount": category["incentive_amount"],
                "awardees": listed,
            }
        )
    units: dict[str, list[dict[str, Any]]] = {}
    for person in sorted(people, key=lambda p: (p["unit"], p["name"])):
        units.setdefault(person["unit"], []).append(person)
    return {
        "year": year,
        "title": programme.title,
        "announced_on": programme.announcement_on,
        "criteria": [
            {k: c[k] for k in ("code", "name", "description", "weight")}
            for c in programmes.criteria_of(session, programme.id)
        ],
        "categories": categories,
        "units": [{"unit": unit, "awardees": listed} for unit, listed in units.items()],
    }


def _person(grant: Grant, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": grant.name,
        "unit": grant.unit,
        "position": grant.position,
        "category": grant.category,
        "rank": grant.rank,
        "score": grant.aggregate,
        "scorers": result.get("scorers"),
        "criteria": result.get("criteria", {}),
    }
