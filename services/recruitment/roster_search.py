"""Search of the roster: filters, a name-or-NIP query, and pages in NIP order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from chassis.pagination import page_of
from contracts.identifiers import NIP_LENGTH
from services.recruitment.models import Employee

FILTERS = ("unit", "status", "supervisor_nip")


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def query_condition(q: str) -> Any:
    """Name contains `q` (any case), or, when `q` is digits, the NIP starts with it."""
    condition = func.lower(Employee.name).like(f"%{_like_escaped(q.lower())}%", escape="\\")
    if q.isascii() and q.isdigit() and len(q) <= NIP_LENGTH:
        # A range on the primary key rather than LIKE 'q%': it uses the index whatever the
        # database's collation.
        lowest, highest = q.ljust(NIP_LENGTH, "0"), q.ljust(NIP_LENGTH, "9")
        condition = or_(condition, Employee.nip.between(lowest, highest))
    return condition


def search(session: Session, args: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the employees matching `args`, and how many match in all."""
    conditions = [getattr(Employee, name) == args[name] for name in FILTERS if args.get(name)]
    if args.get("q"):
        conditions.append(query_condition(args["q"]))
    query = select(Employee).where(*conditions).order_by(Employee.nip)
    return page_of(session, query, args["page"], args["page_size"])
