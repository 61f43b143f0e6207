"""The audit trail of the selection: who changed what, when, from what, to what, and why.

Every change of a score, a verification, a passing grade, an appeal or an announcement goes
through `record` in the same transaction as the change, so the trail and the data never differ;
the actor is the unit of work's (`uow.actor_name`), never read from the request.
Values are written as text; a NIK is never one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from chassis.pagination import page_of
from services.recruitment.selection.models import AuditEntry

BATCH = 2000  # audit rows per INSERT executemany


def now() -> datetime:
    """The current time (UTC); one place, so that the whole workflow agrees on it."""
    return datetime.now(UTC)


def as_text(value: Any) -> str | None:
    """A value as the audit trail stores it (None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 80.50 and 80.5 read the same: "80.5"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def record(
    session: Session,
    entity: str,
    entity_id: str,
    changes: Sequence[tuple[str, Any, Any]],
    *,
    who: str,
    reason: str | None,
    at: datetime | None = None,
) -> None:
    """Add one audit entry per (field, old, new) in `changes` to the caller's transaction."""
    at = at or now()
    session.add_all(
        AuditEntry(
            entity=entity,
            entity_id=entity_id,
            field=field,
            old_value=as_text(old),
            new_value=as_text(new),
            actor=who,
            reason=reason,
            at=at,
        )
        for field, old, new in changes
    )


def record_many(
    session: Session,
    entity: str,
    entries: Sequence[tuple[str, str, Any, Any]],
    *,
    who: str,
    reason: str | None,
    at: datetime | None = None,
) -> None:
    """Add (entity id, field, old, new) entries in batches of Core INSERTs: a national
    optimisation writes tens of thousands, too many to hold as ORM objects."""
    at = at or now()
    table = AuditEntry.__table__
    for start in range(0, len(entries), BATCH):
        rows = [
            {
                "entity": entity,
                "entity_id": entity_id,
                "field": field,
                "old_value": as_text(old),
                "new_value": as_text(new),
                "actor": who,
                "reason": reason,
                "at": at,
            }
            for entity_id, field, old, new in entries[start : start + BATCH]
        ]
        session.execute(insert(table), rows)


def trail(
    session: Session,
    *,
    page: int = 1,
    page_size: int = 100,
    entity: str | None = None,
    entity_id: str | None = None,
    registration_number: str | None = None,
) -> dict[str, Any]:
    """One page of audit entries, oldest first, optionally for one entity kind and/or one
    entity, or for one application and its appeal; with how many match in all."""
    conditions = []
    if registration_number is not None:
        conditions += [
            AuditEntry.entity.in_(("application", "appeal")),
            AuditEntry.entity_id == registration_number,
        ]
    if entity is not None:
        conditions.append(AuditEntry.entity == entity)
    if entity_id is not None:
        conditions.append(AuditEntry.entity_id == entity_id)
    query = select(AuditEntry).where(*conditions).order_by(AuditEntry.id)
    return page_of(session, query, page, page_size)
