"""The SLA flag of a report on the staff queues (DESIGN.md, citizen feedback; no I/O).

The feedback service computes *overdue* itself (from the day after the stage's due day, frozen
while a question waits for the citizen) and says when a report awaits the citizen. It does not
say *near due*: that rule is the web client's, named here so that the queue and its tests agree.

NEAR_DUE rule: a running clock whose due day is today or the next working day (Monday-Friday
minus the national holidays and cuti bersama the service's calendar lists, plus the days an admin
declared worked). Verification has 3 working days and the unit's response 5, so the flag
leaves at most one working day to act.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any

OVERDUE, NEAR_DUE, AWAITING_CITIZEN, ON_TIME = "OVERDUE", "NEAR_DUE", "AWAITING_CITIZEN", "ON_TIME"
NEAR_DUE_WORKING_DAYS = 1


def working_day_rule(calendar: Mapping[str, Any] | None) -> Callable[[date], bool]:
    """Is-a-working-day from the service's `GET /calendar/{year}` answer (weekdays if None)."""
    holidays: set[str] = set()
    workdays: set[str] = set()
    if calendar:
        holidays = {str(d["day"]) for d in calendar.get("national", ())}
        for change in calendar.get("changes", ()):
            (holidays if change.get("kind") == "HOLIDAY" else workdays).add(str(change["day"]))
            if change.get("kind") == "WORKDAY":
                holidays.discard(str(change["day"]))

    def is_working_day(day: date) -> bool:
        iso = day.isoformat()
        if iso in workdays:
            return True
        return day.weekday() < 5 and iso not in holidays

    return is_working_day


def last_day_to_act(today: date, is_working_day: Callable[[date], bool]) -> date:
    """The last due day that counts as near: today plus NEAR_DUE_WORKING_DAYS working days."""
    day, left = today, NEAR_DUE_WORKING_DAYS
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def sla_flag(line: Mapping[str, Any], today: date, is_working_day: Callable[[date], bool]) -> str:
    """OVERDUE (the service's flag), AWAITING_CITIZEN, NEAR_DUE (the rule above) or ON_TIME."""
    if line.get("overdue"):
        return OVERDUE
    if line.get("awaiting_citizen"):
        return AWAITING_CITIZEN
    due = line.get("due_on")
    if due:
        due_day = due if isinstance(due, date) else date.fromisoformat(str(due))
        if due_day <= last_day_to_act(today, is_working_day):
            return NEAR_DUE
    return ON_TIME


def flagged(
    lines: Iterable[Mapping[str, Any]], today: date, is_working_day: Callable[[date], bool]
) -> list[dict[str, Any]]:
    """Each queue line with its `sla` flag."""
    return [{**line, "sla": sla_flag(line, today, is_working_day)} for line in lines]
