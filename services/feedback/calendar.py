"""The working-day calendar: Indonesia's national holidays (the `holidays` package) with the
admins' changes per year (cuti bersama added, a holiday declared a working day)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import holidays
from sqlalchemy import select

from chassis.domain import Invalid, NotFoundError
from chassis.uow import UnitOfWork
from services.feedback.rules import WorkCalendar
from services.feedback.tables import CalendarDay

KINDS = ("HOLIDAY", "WORKDAY")


@lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[date]:
    """Indonesia's national holidays of `year` as the maintained library knows them."""
    return frozenset(holidays.country_holidays("ID", years=year))


def load(uow: UnitOfWork, *years: int) -> WorkCalendar:
    """The calendar of `years` (and the next, so a clock may run into it) with admins' changes."""
    span = sorted({y for year in years for y in (year, year + 1)})
    national: set[date] = set()
    for year in span:
        national |= national_holidays(year)
    rows = uow.session.scalars(
        select(CalendarDay).where(
            CalendarDay.day >= date(span[0], 1, 1), CalendarDay.day <= date(span[-1], 12, 31)
        )
    ).all()
    return WorkCalendar(
        holidays=frozenset(national),
        extra_holidays=frozenset(r.day for r in rows if r.kind == "HOLIDAY"),
        extra_workdays=frozenset(r.day for r in rows if r.kind == "WORKDAY"),
    )


def year_view(uow: UnitOfWork, year: int) -> dict[str, Any]:
    """A year's national holidays and the admins' changes to it."""
    names = holidays.country_holidays("ID", years=year)
    rows = uow.session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    ).all()
    return {
        "year": year,
        "national": [{"day": d, "name": names[d]} for d in sorted(names)],
        "changes": [
            {"day": r.day, "kind": r.kind, "note": r.note, "set_by": r.set_by} for r in rows
        ],
    }


def set_day(uow: UnitOfWork, day: date, kind: str, note: str) -> dict[str, Any]:
    """Add cuti bersama (HOLIDAY) or declare a national holiday a working day (WORKDAY)."""
    actor = uow.require_actor()
    if kind == "WORKDAY" and day not in national_holidays(day.year):
        raise Invalid.field("day", "Only a national holiday can be declared a working day.")
    row = uow.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        uow.session.add(row)
    row.kind, row.note, row.set_by = kind, note, actor.username
    return {"day": day, "kind": kind, "note": note, "set_by": actor.username}


def remove_day(uow: UnitOfWork, day: date) -> None:
    """Undo an admin's change of `day` (the national calendar applies again)."""
    row = uow.session.get(CalendarDay, day)
    if row is None:
        raise NotFoundError(f"No change was made to {day.isoformat()}.")
    uow.session.delete(row)
