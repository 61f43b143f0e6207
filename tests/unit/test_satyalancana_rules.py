"""Satyalancana Karya Satya (PP 25/1994) on hand-worked cases: CLTN gaps, sanctions at the
boundary dates, leap days, both readings of whether the count restarts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.awards.satyalancana_rules import (
    Leave,
    Sanction,
    Servant,
    anniversary,
    completed_years,
    satyalancana,
)

NIP = "198501012010031001"
ON = date(2025, 8, 17)


def servant(tmt=date(2010, 3, 1), *, status="PNS", leave=(), sanctions=(), held=()):
    return Servant(NIP, status, tmt, tuple(leave), tuple(sanctions), frozenset(held))


def codes(outcome):
    return [r.code for r in outcome.reasons]


# -- counting years -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "on", "years"),
    [
        (date(2015, 8, 17), date(2025, 8, 16), 9),  # the day before the 10th anniversary
        (date(2015, 8, 17), date(2025, 8, 17), 10),  # on it
        (date(2016, 2, 29), date(2026, 2, 28), 9),  # a leap-day start: February must pass
        (date(2016, 2, 29), date(2026, 3, 1), 10),
        (date(2016, 2, 29), date(2036, 2, 29), 20),  # a leap year again: the day itself
        (date(2016, 3, 1), date(2026, 3, 1), 10),
        (date(2025, 8, 18), date(2025, 8, 17), 0),  # not started yet
    ],
)
def test_completed_years(start, on, years):
    assert completed_years(start, on) == years


@given(
    st.dates(date(1960, 1, 1), date(2100, 12, 31)),
    st.integers(min_value=0, max_value=40),
)
def test_the_anniversary_completes_exactly_that_many_years(start, years):
    day = anniversary(start, years)

    assert completed_years(start, day) == years
    if years > 0:
        assert completed_years(start, day - timedelta(days=1)) == years - 1


@given(
    st.dates(date(1960, 1, 1), date(2060, 12, 31)),
    st.dates(date(1960, 1, 1), date(2100, 12, 31)),
    st.integers(min_value=1, max_value=4000),
)
def test_years_never_go_down_as_time_passes(start, on, later):
    assert completed_years(start, on) <= completed_years(start, on + timedelta(days=later))


# -- classes --------------------------------------------------------------------------------


def test_ten_years_from_tmt_cpns_proposes_class_x():
    outcome = satyalancana(servant(date(2015, 8, 17)), ON)

    assert (outcome.award_class, outcome.years, outcome.counted_from) == (
        "X",
        10,
        date(2015, 8, 17),
    )
    assert codes(outcome) == ["CONTINUOUS_SERVICE"]


def test_one_day_short_is_excluded_with_the_years_counted():
    outcome = satyalancana(servant(date(2015, 8, 18)), ON)

    assert outcome.award_class is None and outcome.years == 9
    assert codes(outcome) == ["SERVICE_TOO_SHORT"]


@pytest.mark.parametrize(
    ("held", "expected", "code"),
    [
        ((), "XX", "CONTINUOUS_SERVICE"),  # 20 years and nothing held: the highest reached
        (("X",), "XX", "CONTINUOUS_SERVICE"),  # holds the lower class: shown, still proposed
        (("XX",), None, "ALREADY_HOLDS"),
        (("X", "XX"), None, "ALREADY_HOLDS"),
    ],
)
def test_the_class_and_what_is_held(held, expected, code):
    outcome = satyalancana(servant(date(2005, 3, 1), held=held), ON)

    assert outcome.award_class == expected
    assert outcome.holds == tuple(c for c in ("X", "XX", "XXX") if c in held)
    assert codes(outcome)[-1] == code


@pytest.mark.parametrize("status", ["CPNS", "PPPK"])
def test_only_pns(status):
    assert codes(satyalancana(servant(status=status), ON)) == ["NOT_PNS"]


# -- unpaid leave (CLTN) --------------------------------------------------------------------


def test_cltn_restarts_the_count_the_day_after_it_ends():
    # TMT 2010-03-01; CLTN 2013-01-01..2014-12-31: the count starts again on 2015-01-01.
    outcome = satyalancana(servant(leave=[Leave(date(2013, 1, 1), date(2014, 12, 31))]), ON)

    assert outcome.counted_from == date(2015, 1, 1)
    assert (outcome.years, outcome.award_class) == (10, "X")
    assert codes(outcome) == ["COUNT_RESTARTED_AFTER_LEAVE", "CONTINUOUS_SERVICE"]


def test_a_cltn_that_pushes_the_count_one_day_past_the_reference_day():
    outcome = satyalancana(servant(leave=[Leave(date(2013, 1, 1), date(2015, 8, 17))]), ON)

    assert outcome.counted_from == date(2015, 8, 18) and outcome.years == 9
    assert codes(outcome)[-1] == "SERVICE_TOO_SHORT"


def test_a_running_cltn_excludes():
    outcome = satyalancana(servant(leave=[Leave(date(2024, 1, 1), None)]), ON)

    assert codes(outcome) == ["UNPAID_LEAVE_RUNNING"]


def test_cltn_ending_on_the_reference_day_is_still_running_then():
    outcome = satyalancana(servant(leave=[Leave(date(2024, 1, 1), ON)]), ON)

    assert codes(outcome) == ["UNPAID_LEAVE_RUNNING"]


def test_cltn_after_the_reference_day_does_not_count_yet():
    outcome = satyalancana(servant(leave=[Leave(ON + timedelta(days=1), None)]), ON)

    assert outcome.award_class == "X"
    assert codes(outcome) == ["CONTINUOUS_SERVICE"]


def test_without_restart_any_cltn_in_service_excludes():
    outcome = satyalancana(
        servant(date(2000, 3, 1), leave=[Leave(date(2001, 1, 1), date(2001, 6, 30))]),
        ON,
        restart=False,
    )

    assert outcome.award_class is None
    assert codes(outcome) == ["UNPAID_LEAVE_IN_SERVICE"]


def test_two_cltn_gaps_count_from_after_the_last():
    leave = [
        Leave(date(2011, 1, 1), date(2011, 12, 31)),
        Leave(date(2014, 3, 1), date(2014, 8, 31)),
    ]

    outcome = satyalancana(servant(leave=leave), ON)

    assert outcome.counted_from == date(2014, 9, 1) and outcome.years == 10
    assert codes(outcome)[:2] == ["COUNT_RESTARTED_AFTER_LEAVE", "COUNT_RESTARTED_AFTER_LEAVE"]


# -- sanctions (PP 94/2021 levels) ----------------------------------------------------------


def test_a_light_sanction_does_not_disqualify():
    outcome = satyalancana(servant(sanctions=[Sanction("RINGAN", date(2020, 1, 1), None)]), ON)

    assert outcome.award_class == "X"


@pytest.mark.parametrize("level", ["SEDANG", "BERAT"])
def test_a_moderate_or_severe_sanction_restarts_after_it_was_served(level):
    sanction = Sanction(level, date(2012, 5, 2), date(2013, 5, 1))

    outcome = satyalancana(servant(sanctions=[sanction]), ON)

    assert outcome.counted_from == date(2013, 5, 2) and outcome.years == 12
    assert codes(outcome) == ["COUNT_RESTARTED_AFTER_SANCTION", "CONTINUOUS_SERVICE"]


def test_without_restart_a_sanction_in_service_disqualifies():
    sanction = Sanction("SEDANG", date(2012, 5, 2), date(2013, 5, 1))

    outcome = satyalancana(servant(sanctions=[sanction]), ON, restart=False)

    assert codes(outcome) == ["SANCTION_IN_SERVICE"]


def test_a_sanction_imposed_on_the_reference_day_is_in_the_counted_service():
    outcome = satyalancana(servant(sanctions=[Sanction("BERAT", ON, date(2026, 8, 16))]), ON)

    assert codes(outcome) == ["SANCTION_RUNNING"]


def test_a_sanction_imposed_the_day_after_is_not():
    later = ON + timedelta(days=1)

    outcome = satyalancana(servant(sanctions=[Sanction("BERAT", later, None)]), ON)

    assert outcome.award_class == "X"


def test_a_sanction_served_until_the_day_before_the_reference_day_leaves_a_short_count():
    sanction = Sanction("SEDANG", date(2025, 1, 2), ON - timedelta(days=1))

    outcome = satyalancana(servant(sanctions=[sanction]), ON)

    assert outcome.counted_from == ON and outcome.years == 0
    assert codes(outcome)[-1] == "SERVICE_TOO_SHORT"


def test_a_sanction_on_the_tmt_day_itself_is_in_the_service():
    sanction = Sanction("SEDANG", date(2010, 3, 1), date(2010, 8, 31))

    strict = satyalancana(servant(sanctions=[sanction]), ON, restart=False)
    restarted = satyalancana(servant(sanctions=[sanction]), ON)

    assert codes(strict) == ["SANCTION_IN_SERVICE"]
    assert restarted.counted_from == date(2010, 9, 1) and restarted.years == 14


def test_leave_and_sanction_together_count_from_the_later_end():
    leave = [Leave(date(2012, 1, 1), date(2012, 12, 31))]
    sanctions = [Sanction("SEDANG", date(2012, 6, 1), date(2013, 6, 30))]

    outcome = satyalancana(servant(leave=leave, sanctions=sanctions), ON)

    assert outcome.counted_from == date(2013, 7, 1)


@given(
    st.dates(date(1990, 1, 1), date(2024, 12, 31)),
    st.lists(st.tuples(st.integers(0, 12_000), st.integers(0, 2_000)), max_size=4),
)
def test_restarting_never_counts_more_than_the_whole_service(tmt, gaps):
    leave = [Leave(tmt + timedelta(days=a), tmt + timedelta(days=a + b)) for a, b in sorted(gaps)]
    whole = completed_years(tmt, ON)

    outcome = satyalancana(servant(tmt, leave=leave), ON)
    strict = satyalancana(servant(tmt, leave=leave), ON, restart=False)

    assert outcome.years <= whole
    assert outcome.counted_from is None or outcome.counted_from >= tmt
    # The strict reading never proposes anyone the restarting reading would not.
    assert not strict.proposed or outcome.proposed
