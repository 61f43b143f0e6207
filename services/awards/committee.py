"""The committee's work: recusal, score sheets, the ranking, the one decision and withdrawal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, NotAllowed, NotFoundError, refuse_if
from chassis.principal import Principal
from chassis.uow import UnitOfWork
from services.awards import programmes, rules, scoring
from services.awards.models import Eligibility
from services.awards.tables import (
    Category,
    Criterion,
    Decision,
    Grant,
    Nomination,
    Programme,
    Recusal,
    ScoreSheet,
)

GRANTED = "awards.award.granted"
REVOKED = "awards.award.revoked"
# awards.award.granted v2 carries the category (contracts/awards.py).
GRANTED_VERSION = 2


def _open_for_scoring(session: Session, nomination: Nomination) -> Programme:
    programme = session.get(Programme, nomination.programme_id)
    if session.get(Decision, programme.id) is not None:
        raise ConflictError("The programme is decided; scores are closed.")
    today = scoring.today_wit()
    if not scoring.in_window(today, programme.scoring_open, programme.scoring_close):
        raise ConflictError(
            f"Scoring is open from {programme.scoring_open} to {programme.scoring_close} "
            f"(today is {today}, WIT)."
        )
    return programme


def recuse(uow: UnitOfWork, nomination_id: int) -> dict[str, Any]:
    """A member declares a conflict of interest and steps aside from one nomination."""
    actor = uow.require_actor()
    session = uow.session
    nomination = programmes.nomination_or_404(session, nomination_id)
    _open_for_scoring(session, nomination)
    if session.get(ScoreSheet, (nomination_id, actor.username)) is not None:
        raise ConflictError("You have scored this nomination already.")
    if session.get(Recusal, (nomination_id, actor.username)) is None:
        session.add(
            Recusal(
                nomination_id=nomination_id,
                member=actor.username,
                reason="DECLARED",
                recorded_at=datetime.now(UTC),
            )
        )
        uow.flush()
    return {"nomination_id": nomination_id, "member": actor.username, "status": "RECUSED"}


def submit_scores(uow: UnitOfWork, nomination_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """A member's scores of one nomination, per criterion; final once submitted."""
    actor = uow.require_actor()
    session = uow.session
    nomination = programmes.nomination_or_404(session, nomination_id)
    programme = _open_for_scoring(session, nomination)
    reason = programmes.recusal_reason(session, nomination, actor)
    if reason is not None:
        raise NotAllowed(
            f"You must recuse from this nomination ({reason}); it is not yours to score."
        )
    if session.get(ScoreSheet, (nomination_id, actor.username)) is not None:
        raise ConflictError("You have submitted your scores for this nomination already.")
    weights = _weights(session, programme.id)
    refuse_if(scoring.sheet_problems(data["scores"], weights))
    session.add(
        ScoreSheet(
            nomination_id=nomination_id,
            member=actor.username,
            member_nip=actor.nip,
            scores=dict(data["scores"]),
            total=scoring.weighted_total(data["scores"], weights),
            note=data.get("note"),
            submitted_at=datetime.now(UTC),
        )
    )
    uow.flush()
    return read_scores(session, nomination_id, actor)


def read_scores(session: Session, nomination_id: int, actor: Principal) -> dict[str, Any]:
    """Every member's sheet and the aggregate: for BKD, and for a member once they submitted."""
    nomination = programmes.nomination_or_404(session, nomination_id)
    own = session.get(ScoreSheet, (nomination_id, actor.username))
    if not actor.has_any(("admin",)) and own is None:
        raise NotAllowed("The committee's scores are shown once you have submitted yours.")
    sheets = _sheets(session, [nomination_id]).get(nomination_id, [])
    weights = _weights(session, nomination.programme_id)
    total = _aggregate(nomination, sheets, weights)
    return {
        "nomination_id": nomination_id,
        "sheets": [_sheet(s) for s in sheets],
        "aggregate": total.as_dict(),
    }


def _sheet(sheet: ScoreSheet) -> dict[str, Any]:
    return {
        "member": sheet.member,
        "scores": sheet.scores,
        "total": sheet.total,
        "note": sheet.note,
        "submitted_at": sheet.submitted_at,
    }


def ranking(session: Session, pid: str, actor: Principal) -> dict[str, Any]:
    """Per category, the nominations in ranking order with their aggregates (see scoring)."""
    programme = session.get(Programme, pid)
    if programme is None:
        raise NotFoundError(f"No programme {pid}.")
    decided = session.get(Decision, pid) is not None
    still_scoring = scoring.today_wit() <= programme.scoring_close
    if not actor.has_any(("admin",)) and not decided and still_scoring:
        raise NotAllowed("The ranking is shown to the committee once scoring has closed.")
    rankings, _nominations = _rankings(session, programme)
    return {"programme_id": pid, "categories": [_ranking_dict(r) for r in rankings.values()]}


def _ranking_dict(r: scoring.Ranking) -> dict[str, Any]:
    return {
        "category": r.category,
        "ranked": [{"rank": i + 1, **a.as_dict()} for i, a in enumerate(r.ranked)],
        "unranked": [a.as_dict() for a in r.unranked],
        "ineligible": [a.as_dict() for a in r.ineligible],
    }


def decide(uow: UnitOfWork, pid: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The programme's one decision: the chosen nominations within quota and budget, each an
    award published as `awards.award.granted`; recorded with the committee's scores."""
    actor = uow.require_actor()
    session = uow.session
    programme = session.get(Programme, pid, with_for_update=True)
    if programme is None:
        raise NotFoundError(f"No programme {pid}.")
    if session.get(Decision, pid) is not None:
        raise ConflictError(f"{pid} has been decided already; there is one decision.")
    today = scoring.today_wit()
    if today < programme.decision_on:
        raise ConflictError(f"The decision is due on {programme.decision_on} (today {today}).")
    rankings, nominations = _rankings(session, programme)
    terms = {
        c.code: scoring.CategoryTerms(c.quota, c.incentive_amount)
        for c in session.scalars(select(Category).where(Category.programme_id == pid))
    }
    chosen = list(data["awards"])
    refuse_if(scoring.decision_problems(chosen, rankings, terms, programme.total_budget))
    sheets = _sheets(session, list(nominations))
    results, grants = [], []
    for code, r in rankings.items():
        for index, item in enumerate(r.ranked):
            won = item.nomination_id in chosen
            results.append(_result(item, index + 1, won, sheets))
            if won:
                grants.append((nominations[item.nomination_id], index + 1, item, terms[code]))
        results += [_result(item, None, False, sheets) for item in (*r.unranked, *r.ineligible)]
    total = sum(t.incentive_amount for _n, _i, _a, t in grants)
    session.add(
        Decision(
            programme_id=pid,
            decided_at=datetime.now(UTC),
            decided_by=actor.username,
            total_amount=total,
            results=results,
        )
    )
    for sequence, (nomination, position, item, term) in enumerate(grants, start=1):
        grant = Grant(
            grant_id=f"{pid}-{sequence:04d}",
            programme=rules.PROGRAMME,
            programme_id=pid,
            year=programme.year,
            nip=nomination.nip,
            category=nomination.category,
            nomination_id=nomination.id,
            amount=term.incentive_amount,
            aggregate=item.score,
            rank=position,
            name=nomination.name,
            unit=nomination.unit,
            position=nomination.position,
            granted_on=today,
        )
        session.add(grant)
        uow.publish(GRANTED, granted_event(grant), version=GRANTED_VERSION)
    uow.flush()
    return read_decision(session, pid)


def _result(
    item: scoring.Aggregate, position: int | None, won: bool, sheets: Mapping[int, list]
) -> dict[str, Any]:
    return {
        **item.as_dict(),
        "nip": item.nip,
        "rank": position,
        "awarded": won,
        "sheets": [
            {"member": s.member, "scores": s.scores, "total": s.total}
            for s in sheets.get(item.nomination_id, [])
        ],
    }


def granted_event(grant: Grant) -> dict[str, Any]:
    """The data of `awards.award.granted` v2."""
    return {
        "grant_id": grant.grant_id,
        "nip": grant.nip,
        "programme": grant.programme,
        "programme_id": grant.programme_id,
        "year": grant.year,
        "category": grant.category,
        "class": grant.award_class,
        "granted_on": grant.granted_on.isoformat(),
        "incentive_amount": grant.amount,
    }


def read_decision(session: Session, pid: str) -> dict[str, Any]:
    """The decision with its awards (and any withdrawn since) and the scores it rested on."""
    decision = session.get(Decision, pid)
    if decision is None:
        raise NotFoundError(f"{pid} has not been decided.")
    grants = session.scalars(
        select(Grant).where(Grant.programme_id == pid).order_by(Grant.grant_id)
    )
    return {
        "programme_id": pid,
        "decided_at": decision.decided_at,
        "decided_by": decision.decided_by,
        "total_amount": decision.total_amount,
        "grants": [grant_dict(g) for g in grants],
        "results": decision.results,
    }


def grant_dict(g: Grant) -> dict[str, Any]:
    return {
        "grant_id": g.grant_id,
        "nip": g.nip,
        "name": g.name,
        "unit": g.unit,
        "position": g.position,
        "category": g.category,
        "amount": g.amount,
        "rank": g.rank,
        "score": g.aggregate,
        "granted_on": g.granted_on,
        "revoked_on": g.revoked_on,
        "revocation_reason": g.revocation_reason,
    }


# -- withdrawal -----------------------------------------------------------------------------


def revoke_for(uow: UnitOfWork, nip: str, years: set[int], reason: str) -> int:
    """Withdraw `nip`'s Sofifi Berprestasi awards of `years` (a sanction or substantiated
    complaint about that year came later); each withdrawal is published. Returns how many."""
    if not years:
        return 0
    grants = uow.session.scalars(
        select(Grant).where(
            Grant.nip == nip,
            Grant.programme == rules.PROGRAMME,
            Grant.year.in_(sorted(years)),
            Grant.revoked_on.is_(None),
        )
    ).all()
    for grant in grants:
        grant.revoked_on = scoring.today_wit()
        grant.revocation_reason = reason
        uow.publish(
            REVOKED,
            {
                "grant_id": grant.grant_id,
                "nip": grant.nip,
                "programme": grant.programme,
                "programme_id": grant.programme_id,
                "year": grant.year,
                "category": grant.category,
                "revoked_on": grant.revoked_on.isoformat(),
                "reason": reason,
            },
        )
    uow.flush()
    return len(grants)


def awarded_years(session: Session, nip: str) -> list[int]:
    """The years in which `nip` holds a Sofifi Berprestasi award not withdrawn."""
    return list(
        session.scalars(
            select(Grant.year).where(
                Grant.nip == nip, Grant.programme == rules.PROGRAMME, Grant.revoked_on.is_(None)
            )
        )
    )


# -- helpers --------------------------------------------------------------------------------


def _weights(session: Session, pid: str) -> dict[str, int]:
    rows = session.execute(
        select(Criterion.code, Criterion.weight)
        .where(Criterion.programme_id == pid)
        .order_by(Criterion.position)
    )
    return dict(rows.all())


def _sheets(session: Session, nomination_ids: list[int]) -> dict[int, list[ScoreSheet]]:
    found: dict[int, list[ScoreSheet]] = {}
    if nomination_ids:
        query = (
            select(ScoreSheet)
            .where(ScoreSheet.nomination_id.in_(nomination_ids))
            .order_by(ScoreSheet.submitted_at, ScoreSheet.member)
        )
        for sheet in session.scalars(query):
            found.setdefault(sheet.nomination_id, []).append(sheet)
    return found


def _aggregate(
    nomination: Nomination, sheets: list[ScoreSheet], weights: Mapping[str, int]
) -> scoring.Aggregate:
    return scoring.aggregate(
        nomination.id,
        nomination.category,
        nomination.nip,
        nomination.submitted_at,
        [s.scores for s in sheets],
        weights,
    )


def _rankings(
    session: Session, programme: Programme
) -> tuple[dict[str, scoring.Ranking], dict[int, Nomination]]:
    weights = _weights(session, programme.id)
    by_weight = [c for c, _w in sorted(weights.items(), key=lambda cw: -cw[1])]
    nominations = {
        n.id: n
        for n in session.scalars(select(Nomination).where(Nomination.programme_id == programme.id))
    }
    sheets = _sheets(session, list(nominations))
    categories = session.scalars(
        select(Category.code)
        .where(Category.programme_id == programme.id)
        .order_by(Category.position)
    ).all()
    aggregates = [_aggregate(n, sheets.get(n.id, []), weights) for n in nominations.values()]
    eligible = set(
        session.scalars(
            select(Eligibility.nip).where(
                Eligibility.year == programme.year,
                Eligibility.programme == rules.PROGRAMME,
                Eligibility.eligible.is_(True),
                Eligibility.nip.in_([n.nip for n in nominations.values()]),
            )
        )
    )
    # Eligibility is decided again by every complaint or sanction: read it now, not at nomination.
    lost = [n.id for n in nominations.values() if n.nip not in eligible]
    ranked = scoring.rank(aggregates, categories, by_weight, programme.min_scorers, lost)
    return ranked, nominations
