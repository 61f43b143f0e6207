"""The working-day calendar: Indonesia's national holidays (the `holidays` package, stored per
year in `national_holidays`) with the admins' changes (cuti bersama added, a holiday worked)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from chassis.domain import Invalid, NotFoundError
from chassis.uow import UnitOfWork
from services.feedback.rules import WorkCalendar
from services.feedback.tables import CalendarDay, NationalHoliday

KINDS = ("HOLIDAY", "WORKDAY")
# National holidays and the cuti bersama the library knows from past decrees ("government").
CATEGORIES = ("public", "government")


def national_holidays(uow: UnitOfWork, year: int) -> dict[date, str]:
    """Indonesia's national holidays of `year`; a year not stored yet is taken from the library
    (imported only then: the migration stores 2020-2040) and stored."""
    rows = uow.session.execute(
        select(NationalHoliday.day, NationalHoliday.name).where(NationalHoliday.year == year)
    ).all()
    if rows:
        return dict(rows)
    import holidays

    days = holidays.country_holidays("ID", years=year, categories=CATEGORIES)
    try:
        with uow.savepoint():
            uow.session.add_all(
                NationalHoliday(day=d, name=n[:200], year=d.year) for d, n in days.items()
            )
    except IntegrityError:
        pass  # another request stored the year first: the same dates
    return dict(days)


# Every report reads the calendar, which changes a few times a year: each process keeps it for
# a minute (keyed by engine). A change is seen at once by the process that made it and
# within CACHE_SECONDS by the others: a clock started in that minute may miss one extra day off.
CACHE_SECONDS = 60.0
_cache: dict[tuple[Any, tuple[int, ...]], tuple[float, WorkCalendar]] = {}


def load(uow: UnitOfWork, *years: int) -> WorkCalendar:
    """The calendar of `years` (and the next, so a clock may run into it) with admins' changes."""
    span = sorted({y for year in years for y in (year, year + 1)})
    # The engine itself (hashed by identity, kept alive by the entry): rendering its URL as text
    # for the key cost more than the lookup.
    key = (uow.session.get_bind(), tuple(span))
    cached = _cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    calendar = _load(uow, span)
    if len(_cache) > 64:
        _cache.clear()
    _cache[key] = (time.monotonic() + CACHE_SECONDS, calendar)
    return calendar


def _load(uow: UnitOfWork, span: list[int]) -> WorkCalendar:
    national = set(
        uow.session.scalars(
            select(NationalHoliday.day).where(
                NationalHoliday.year >= span[0], NationalHoliday.year <= span[-1]
            )
        )
    )
    # Every year has national holidays: a year without any is one not stored yet.
    for year in set(span) - {day.year for day in national}:
        national |= set(national_holidays(uow, year))
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
    names = national_holidays(uow, year)
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
    if kind == "WORKDAY" and day not in national_holidays(uow, day.year):
        raise Invalid.field(
            "day",
            "Only a national holiday or a decreed cuti bersama can be declared a working day.",
        )
    row = uow.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        uow.session.add(row)
    row.kind, row.note, row.set_by = kind, note, actor.username
    _cache.clear()
    return {"day": day, "kind": kind, "note": note, "set_by": actor.username}


def remove_day(uow: UnitOfWork, day: date) -> None:
    """Undo an admin's change of `day` (the national calendar applies again)."""
    row = uow.session.get(CalendarDay, day)
    if row is None:
        raise NotFoundError(f"No change was made to {day.isoformat()}.")
    uow.session.delete(row)
    _cache.clear()
