"""Ranking runs and the ranking lists: the admins' full view and the public announcement.

The ranking itself is computed in the database by `ranking.rank_formations`; this module
decides which formations it runs over (an announced formation is frozen: only an accepted
appeal re-ranks it) and shapes the lists. Public lists carry registration number, name and
scores, never a NIK, a birth date or a secret.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from chassis import pagination as paging
from chassis.domain import ConflictError, NotFoundError
from chassis.uow import UnitOfWork
from services.recruitment.selection import formations, ranking
from services.recruitment.selection.models import Application, Formation, SelectionResult

PUBLIC_FIELDS = (
    "registration_number",
    "name",
    "twk",
    "tiu",
    "tkp",
    "skd_total",
    "skb",
    "final_score",
    "rank",
    "outcome",
)


def rank_year(uow: UnitOfWork, year: int) -> dict[str, Any]:
    """Rank every formation of `year` that is not announced yet."""
    session = uow.session
    waiting = and_(Formation.year == year, Formation.announced_at.is_(None))
    count = session.scalar(select(func.count()).select_from(Formation).where(waiting))
    if not count:
        raise ConflictError(f"No formation of {year} is waiting to be ranked.")
    # One pass over the year with a predicate, not the ids in chunks (see ranking.py).
    ranking.rank_formations(session, year=year, unannounced_only=True)
    outcomes = session.execute(
        select(SelectionResult.outcome, func.count())
        .join(Formation, Formation.id == SelectionResult.formation_id)
        .where(waiting)
        .group_by(SelectionResult.outcome)
    ).all()
    return {"formations": count, "outcomes": dict(sorted((o, n) for o, n in outcomes))}


def rank_formation(uow: UnitOfWork, formation_id: int) -> dict[str, Any]:
    """Rank one formation that is not announced yet."""
    session = uow.session
    formation = formations.get(session, formation_id, for_update=True)
    formations.check_not_announced(formation, "its ranking")
    ranking.rank_formations(session, [formation.id])
    return summary(session, [formation.id])


def summary(session: Session, formation_ids: list[int]) -> dict[str, Any]:
    """How many applications of these formations ended with each outcome."""
    outcomes: Counter[str] = Counter()
    for start in range(0, len(formation_ids), 900):
        chunk = formation_ids[start : start + 900]
        outcomes.update(
            session.scalars(
                select(SelectionResult.outcome).where(SelectionResult.formation_id.in_(chunk))
            )
        )
    return {"formations": len(formation_ids), "outcomes": dict(sorted(outcomes.items()))}


def ranking_list(
    session: Session, formation_id: int, page: int = 1, page_size: int = paging.MAX_PAGE_SIZE
) -> dict[str, Any]:
    """A page of the ranked applications of a formation (best first), as the last ranking
    left them."""
    formations.get(session, formation_id)
    query = (
        select(Application, SelectionResult, Formation.code)
        .join(SelectionResult, SelectionResult.application_id == Application.id)
        .outerjoin(Formation, Formation.id == SelectionResult.optimised_into)
        .where(Application.formation_id == formation_id)
        .order_by(
            SelectionResult.rank.is_(None),
            SelectionResult.rank,
            SelectionResult.skd_total.desc(),
            Application.registration_number,
        )
    )
    return paging.page_of(session, query, page, page_size, _entry)


def _entry(application: Application, result: SelectionResult, into: str | None) -> dict[str, Any]:
    return {
        "registration_number": application.registration_number,
        "name": application.name,
        "twk": application.twk,
        "tiu": application.tiu,
        "tkp": application.tkp,
        "skd_total": result.skd_total,
        "skb": application.skb,
        "final_score": result.final_score,
        "rank": result.rank,
        "outcome": result.outcome,
        "passed_grade": result.passed_grade,
        "shortlisted": result.shortlisted,
        "optimised_into": into,
        "withdrawn": application.withdrawn,
        "ranked_at": result.ranked_at,
    }


def announcement(
    session: Session, formation_id: int, page: int = 1, page_size: int = paging.MAX_PAGE_SIZE
) -> dict[str, Any]:
    """A page of the public announcement of a formation; 404 until it is announced."""
    formation = session.get(Formation, formation_id)
    if formation is None or formation.announced_at is None:
        raise NotFoundError(f"Formation {formation_id} has no announcement.")
    listed = ranking_list(session, formation_id, page, page_size)
    listed["items"] = [
        {
            **{name: entry[name] for name in PUBLIC_FIELDS},
            "optimised_into": entry["optimised_into"],
        }
        for entry in listed["items"]
    ]
    return {
        "formation": formation,
        "appeal_filing_closes": formations.appeal_filing_closes(formation),
        **listed,
    }
