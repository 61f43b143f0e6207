"""One employee's awards: Sofifi Berprestasi grants (a programme's decision) and Satyalancana
Karya Satya classes, for the employee, their supervision chain and admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from chassis.domain import NotAllowed
from chassis.pagination import page_of
from chassis.principal import Principal
from services.awards import rules, satyalancana_rules
from services.awards.programmes import chain_of
from services.awards.tables import Category, Decision, Grant, Programme

SATYALANCANA_TITLE = "Satyalancana Karya Satya"


def require_reader(session: Session, actor: Principal, nip: str) -> None:
    """Admins, the employee, and supervisors up the employee's chain on the roster; else 403."""
    if actor.has_any(("admin",)) or (actor.nip is not None and actor.nip == nip):
        return
    supervisor = actor.has_any(("supervisor",)) and actor.nip is not None
    if supervisor and actor.nip in chain_of(session, nip):
        return
    raise NotAllowed(f"Only {nip}, their supervisors and admins read {nip}'s awards.")


def _item(
    grant: Grant, programme_title: str | None, category_name: str | None, decided_at: Any
) -> dict[str, Any]:
    satyalancana = grant.programme == satyalancana_rules.PROGRAMME
    if satyalancana:
        title = f"{SATYALANCANA_TITLE} {grant.award_class}"
    else:
        title = " — ".join(t for t in (programme_title, category_name) if t) or grant.programme
    return {
        "grant_id": grant.grant_id,
        "kind": grant.programme,
        "programme_id": grant.programme_id,
        "year": grant.year,
        "title": title,
        "category": grant.category,
        "award_class": grant.award_class,
        "amount": grant.amount,
        "granted_on": grant.granted_on,
        "decided_at": decided_at,
        "revoked_on": grant.revoked_on,
        "revocation_reason": grant.revocation_reason,
    }


def awards_of(
    session: Session, actor: Principal, nip: str, page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    """One page of `nip`'s awards, newest first (an empty page when none)."""
    require_reader(session, actor, nip)
    query = (
        select(Grant, Programme.title, Category.name, Decision.decided_at)
        .outerjoin(Programme, Programme.id == Grant.programme_id)
        .outerjoin(
            Category,
            and_(Category.programme_id == Grant.programme_id, Category.code == Grant.category),
        )
        .outerjoin(Decision, Decision.programme_id == Grant.programme_id)
        .where(
            Grant.nip == nip,
            Grant.programme.in_((rules.PROGRAMME, satyalancana_rules.PROGRAMME)),
        )
        .order_by(Grant.granted_on.desc(), Grant.grant_id)
    )
    return page_of(session, query, page, page_size, shape=_item)
