"""The web client's SLA flag of a queued report (gateway/web/sla.py): overdue from the service,
awaiting the citizen, and the NEAR_DUE rule over working days and the service's calendar."""

from __future__ import annotations

from datetime import date

from gateway.web.sla import (
    AWAITING_CITIZEN,
    NEAR_DUE,
    ON_TIME,
    OVERDUE,
    flagged,
    last_day_to_act,
    sla_flag,
    working_day_rule,
)

WEEKDAYS = working_day_rule(None)
THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)


def line(due: str | None, overdue: bool = False, awaiting: bool = False) -> dict:
    return {"due_on": due, "overdue": overdue, "awaiting_citizen": awaiting}


def test_the_services_overdue_flag_wins_over_everything():
    assert sla_flag(line("2026-12-01", overdue=True, awaiting=True), THURSDAY, WEEKDAYS) == OVERDUE


def test_a_paused_clock_awaits_the_citizen_and_is_not_near_due():
    assert sla_flag(line("2026-12-03", awaiting=True), THURSDAY, WEEKDAYS) == AWAITING_CITIZEN


def test_due_today_or_the_next_working_day_is_near_due():
    assert sla_flag(line("2026-12-03"), THURSDAY, WEEKDAYS) == NEAR_DUE
    assert sla_flag(line("2026-12-04"), THURSDAY, WEEKDAYS) == NEAR_DUE
    assert sla_flag(line("2026-12-07"), THURSDAY, WEEKDAYS) == ON_TIME


def test_the_weekend_does_not_count_so_friday_reaches_monday():
    assert last_day_to_act(FRIDAY, WEEKDAYS) == date(2026, 12, 7)
    assert sla_flag(line("2026-12-07"), FRIDAY, WEEKDAYS) == NEAR_DUE
    assert sla_flag(line("2026-12-08"), FRIDAY, WEEKDAYS) == ON_TIME


def test_holidays_and_cuti_bersama_of_the_calendar_are_skipped_and_worked_days_count():
    calendar = {
        "national": [{"day": "2026-12-25", "name": "Natal"}, {"day": "2026-12-07", "name": "X"}],
        "changes": [
            {"day": "2026-12-24", "kind": "HOLIDAY", "note": "cuti bersama"},
            {"day": "2026-12-07", "kind": "WORKDAY", "note": "tetap masuk"},
        ],
    }
    rule = working_day_rule(calendar)
    assert last_day_to_act(date(2026, 12, 23), rule) == date(2026, 12, 28)
    assert rule(date(2026, 12, 7)) is True
    assert sla_flag(line("2026-12-28"), date(2026, 12, 23), rule) == NEAR_DUE


def test_no_clock_running_is_on_time_and_every_line_gets_its_flag():
    lines = flagged([line(None), line("2026-12-03")], THURSDAY, WEEKDAYS)
    assert [x["sla"] for x in lines] == [ON_TIME, NEAR_DUE]
