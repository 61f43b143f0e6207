"""Training needs: recording what the rules identified, and reading them back.

Recording is insert-if-absent on the facts of a need (UNIQUE source, source_ref, kind,
competency), and `training.need.identified` is written to the outbox, in the same transaction,
only for the needs that were really inserted: a redelivered event, or another event carrying
the same facts, makes no second record and no second event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from chassis.arrays import ManyRows
from chassis.auth import Principal
from chassis.domain import NotAllowed, NotFoundError
from services.training import rules
from services.training.models import TrainingNeed, outbox

NEED_IDENTIFIED = "training.need.identified"
_FACT = ("source", "source_ref", "kind", "competency")


@cache
def _new_needs(columns: tuple[str, ...]) -> ManyRows:
    """INSERT .. ON CONFLICT (the facts) DO NOTHING RETURNING need_id, for many needs at once.

    Only a conflict on the facts is ignored; a clash of need_id (a digest collision) still
    fails loudly.
    """
    table = TrainingNeed.__table__
    facts = [table.c[name] for name in _FACT]
    return ManyRows(
        table,
        columns,
        lambda insert: insert.on_conflict_do_nothing(index_elements=facts).returning(
            table.c.need_id
        ),
    )


def record(session: Session, needs: Sequence[rules.Need]) -> list[rules.Need]:
    """Store the needs not yet known and add their events to the outbox; returns those stored."""
    return record_many(session, [(need, None) for need in needs])


def record_many(
    session: Session, needs: Sequence[tuple[rules.Need, str | None]]
) -> list[rules.Need]:
    """`record` for the needs of many events at once, each (need, its event's correlation id).

    One INSERT for all of them and one for their outbox events, whatever their number.
    """
    if not needs:
        return []
    identified_at = datetime.now(UTC)
    rows = [{**need.as_row(), "identified_at": identified_at} for need, _cid in needs]
    inserted = set(_new_needs(tuple(rows[0])).execute(session, rows))
    created: dict[str, tuple[rules.Need, str | None]] = {}
    for need, cid in needs:  # the same facts twice in one batch: stored and published once
        if need.need_id in inserted and need.need_id not in created:
            created[need.need_id] = (need, cid)
    outbox.add_many(
        session, NEED_IDENTIFIED, [(rules.event_data(n), cid) for n, cid in created.values()]
    )
    return [need for need, _cid in created.values()]


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which needs a caller may read: all (admins), or those of / supervised by one NIP."""

    everything: bool
    nip: str | None = None
    supervised: bool = False

    @classmethod
    def of(cls, principal: Principal) -> Scope:
        """Admins read all; supervisors their own and their appraisees'; employees their own."""
        if "admin" in principal.roles:
            return cls(everything=True)
        if not principal.nip:
            raise NotAllowed("Your token names no NIP, so no training needs are yours to read.")
        return cls(everything=False, nip=principal.nip, supervised="supervisor" in principal.roles)

    def narrow(self, query: Select) -> Select:
        """`query` restricted to what this scope may read."""
        if self.everything:
            return query
        if self.supervised:
            return query.where(
                or_(TrainingNeed.nip == self.nip, TrainingNeed.supervisor_nip == self.nip)
            )
        return query.where(TrainingNeed.nip == self.nip)


def list_needs(
    session: Session, scope: Scope, filters: dict[str, Any], first: int, count: int
) -> tuple[list[TrainingNeed], int]:
    """One page of the needs in `scope` matching `filters`, oldest first; and the total."""
    if (
        not scope.everything
        and not scope.supervised
        and filters.get("nip") not in (None, scope.nip)
    ):
        raise NotAllowed("Employees read only their own training needs.")
    query = scope.narrow(select(TrainingNeed))
    for name in ("nip", "unit", "year", "kind"):
        if filters.get(name) is not None:
            query = query.where(getattr(TrainingNeed, name) == filters[name])
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # A total order, so that pages neither skip nor repeat a need.
    order = (TrainingNeed.identified_at, TrainingNeed.nip, TrainingNeed.kind, TrainingNeed.need_id)
    page = session.scalars(query.order_by(*order).offset(first).limit(count)).all()
    return list(page), total


def get_need(session: Session, scope: Scope, need_id: str) -> TrainingNeed:
    """One need; 404 also when it exists but is not the caller's to read (nothing leaks)."""
    need = session.scalar(scope.narrow(select(TrainingNeed).where(TrainingNeed.need_id == need_id)))
    if need is None:
        raise NotFoundError(f"No training need {need_id} that you may read.")
    return need


def summary(session: Session, year: int, unit: str | None) -> dict[str, Any]:
    """Counts of the year's needs per unit: in all, by kind, and by competency."""
    query = (
        select(
            TrainingNeed.unit,
            TrainingNeed.kind,
            TrainingNeed.competency,
            TrainingNeed.competency_type,
            func.count().label("needs"),
            func.count(TrainingNeed.nip.distinct()).label("employees"),
        )
        .where(TrainingNeed.year == year)
        .group_by(
            TrainingNeed.unit,
            TrainingNeed.kind,
            TrainingNeed.competency,
            TrainingNeed.competency_type,
        )
        .order_by(TrainingNeed.unit, TrainingNeed.kind, TrainingNeed.competency)
    )
    if unit is not None:
        query = query.where(TrainingNeed.unit == unit)
    people = _employees_per_unit(session, year, unit)
    units: dict[str, dict[str, Any]] = {}
    for row in session.execute(query):
        entry = units.setdefault(
            row.unit,
            {
                "unit": row.unit,
                "needs": 0,
                "employees": people.get(row.unit, 0),
                "by_kind": dict.fromkeys(rules.KINDS, 0),
                "by_competency": [],
            },
        )
        entry["needs"] += row.needs
        entry["by_kind"][row.kind] += row.needs
        entry["by_competency"].append(
            {
                "kind": row.kind,
                "competency": row.competency,
                "competency_type": row.competency_type,
                "needs": row.needs,
                "employees": row.employees,
            }
        )
    return {"year": year, "units": list(units.values())}


def _employees_per_unit(session: Session, year: int, unit: str | None) -> dict[str, int]:
    query = (
        select(TrainingNeed.unit, func.count(TrainingNeed.nip.distinct()))
        .where(TrainingNeed.year == year)
        .group_by(TrainingNeed.unit)
    )
    if unit is not None:
        query = query.where(TrainingNeed.unit == unit)
    return {row[0]: row[1] for row in session.execute(query)}
