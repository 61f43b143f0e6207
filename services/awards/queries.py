"""Reading eligibility decisions, with the facts a reader needs beside them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from chassis.domain import NotFoundError
from services.awards import rules
from services.awards.models import AnnualAppraisal, Eligibility, Employee, JpTotal

_E = Eligibility.__table__
_A = AnnualAppraisal.__table__
_J = JpTotal.__table__
_P = Employee.__table__


def _decisions(year: int) -> Select:
    """Decisions of `year` with the predikat they rest on, the JP total and the name (if known)."""
    return (
        select(_E, _A.c.predikat, _J.c.jp_year_total, _P.c.name)
        .outerjoin(_A, and_(_A.c.nip == _E.c.nip, _A.c.year == _E.c.year))
        .outerjoin(_J, and_(_J.c.nip == _E.c.nip, _J.c.year == _E.c.year))
        .outerjoin(_P, _P.c.nip == _E.c.nip)
        .where(_E.c.year == year, _E.c.programme == rules.PROGRAMME)
    )


def get_decision(session: Session, year: int, nip: str) -> dict[str, Any]:
    """`nip`'s Sofifi Berprestasi decision for `year`; 404 when none was made."""
    row = session.execute(_decisions(year).where(_E.c.nip == nip)).first()
    if row is None:
        raise NotFoundError(f"No eligibility for {year} has been determined for NIP {nip}.")
    return dict(row._mapping)


def list_decisions(
    session: Session,
    year: int,
    *,
    eligible: bool | None = None,
    unit: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """One page of the decisions of `year` (by unit, then NIP), with the total that match."""
    query = _decisions(year)
    if eligible is not None:
        query = query.where(_E.c.eligible.is_(eligible))
    if unit is not None:
        query = query.where(_E.c.unit == unit)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.order_by(_E.c.unit, _E.c.nip).limit(page_size).offset((page - 1) * page_size)
    )
    return {
        "year": year,
        "total": total,
        "page": page,
        "page_size": page_size,
        "items": [dict(row._mapping) for row in rows],
    }
