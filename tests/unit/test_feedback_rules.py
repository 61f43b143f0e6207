"""Pure rules of the feedback service: the working-day calendar and SLA (SP4N-LAPOR!), the
workflow's transitions, the IKM of PermenPAN-RB 14/2017, and redaction for the public."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.feedback import rules
from services.feedback.rules import WorkCalendar

# A fixed calendar for April 2025: Good Friday (18 April) is a national holiday.
APRIL_2025 = WorkCalendar(holidays=frozenset({date(2025, 4, 18)}))


def test_received_on_the_thursday_before_a_long_weekend_is_due_on_the_third_working_day():
    thursday = date(2025, 4, 17)
    due = rules.due_on(APRIL_2025, thursday, rules.VERIFY_WORKING_DAYS, 0)
    assert due == date(2025, 4, 23)  # Mon 21, Tue 22, Wed 23
    assert not rules.is_overdue(due, date(2025, 4, 23))
    assert rules.is_overdue(due, date(2025, 4, 24))  # overdue on Thursday 24 April


def test_cuti_bersama_and_a_removed_holiday_change_the_count():
    with_leave = WorkCalendar(
        holidays=frozenset({date(2025, 4, 18)}), extra_holidays=frozenset({date(2025, 4, 21)})
    )
    assert with_leave.add_working_days(date(2025, 4, 17), 3) == date(2025, 4, 24)
    removed = WorkCalendar(
        holidays=frozenset({date(2025, 4, 18)}), extra_workdays=frozenset({date(2025, 4, 18)})
    )
    assert removed.add_working_days(date(2025, 4, 17), 3) == date(2025, 4, 22)


def test_the_real_2025_calendar_knows_eid_al_fitr():
    import holidays

    national = frozenset(holidays.country_holidays("ID", years=2025))
    work = WorkCalendar(holidays=national)
    # Fri 28 March 2025; Sat 29 Nyepi; Mon 31 March and Tue 1 April Idul Fitri.
    assert work.add_working_days(date(2025, 3, 28), 1) == date(2025, 4, 2)


def test_a_report_late_in_the_evening_utc_is_the_next_day_in_wit():
    assert rules.wit_date(datetime(2025, 4, 16, 16, 30, tzinfo=UTC)) == date(2025, 4, 17)


def test_a_paused_clock_freezes_overdue():
    due = date(2025, 4, 23)
    assert not rules.is_overdue(due, date(2025, 5, 5), paused_on=date(2025, 4, 22))
    assert rules.is_overdue(due, date(2025, 5, 5), paused_on=date(2025, 4, 24))


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    days=st.integers(min_value=1, max_value=30),
)
def test_adding_working_days_lands_on_a_working_day_and_counts_back(start, days):
    due = APRIL_2025.add_working_days(start, days)
    assert APRIL_2025.is_working_day(due)
    assert APRIL_2025.working_days_between(start, due) == days
    assert due - start >= timedelta(days=days)


@pytest.mark.parametrize(
    ("action", "status", "allowed"),
    [
        ("verify", "RECEIVED", True),
        ("verify", "VERIFIED", False),
        ("disposition", "RECEIVED", False),
        ("respond", "DISPOSITIONED", True),
        ("resolve", "DISPOSITIONED", False),
        ("close", "RESOLVED", True),
        ("reopen", "CLOSED", True),
        ("reopen", "REJECTED", False),
    ],
)
def test_transitions(action, status, allowed):
    assert (rules.transition_problem(action, status) is None) is allowed


def test_reopen_window_and_once():
    resolved = date(2025, 5, 1)
    assert rules.reopen_problem(resolved, date(2025, 5, 15), 0) is None
    assert rules.reopen_problem(resolved, date(2025, 5, 16), 0)
    assert rules.reopen_problem(resolved, date(2025, 5, 2), 1)


# -- IKM ---------------------------------------------------------------------------------------


def test_the_contract_example_by_hand():
    # 3.21+3.15+3.02+3.48+3.30+3.25+3.40+3.05+3.10 = 28.96; / 9 x 25 = 80.444... -> 80.44, B.
    example = ("3.21", "3.15", "3.02", "3.48", "3.30", "3.25", "3.40", "3.05", "3.10")
    nrrs = [Decimal(v) for v in example]
    index = rules.ikm_index(nrrs)
    assert index == Decimal("80.44")
    assert rules.ikm_category(index) == ("B", "Baik")


def test_all_fours_and_all_ones_are_the_ends_of_the_scale():
    assert rules.ikm_result([[4] * 9]).ikm == Decimal("100.00")
    assert rules.ikm_result([[1] * 9]).ikm == Decimal("25.00")
    assert rules.ikm_result([[1] * 9]).category == "D"


def test_a_hand_worked_survey_of_four_respondents():
    answers = [
        [4, 3, 3, 4, 3, 3, 4, 3, 2],
        [3, 3, 2, 4, 3, 4, 4, 3, 3],
        [4, 4, 3, 4, 3, 3, 3, 2, 3],
        [3, 3, 3, 4, 4, 3, 4, 3, 2],
    ]
    result = rules.ikm_result(answers)
    # NRR: 3.5, 3.25, 2.75, 4, 3.25, 3.25, 3.75, 2.75, 2.5; sum 29.0; 29/9*25 = 80.555... -> 80.56
    assert result.nrr == tuple(
        Decimal(v) for v in ("3.50", "3.25", "2.75", "4.00", "3.25", "3.25", "3.75", "2.75", "2.50")
    )
    assert result.ikm == Decimal("80.56")
    assert (result.category, result.quality) == ("B", "Baik")


def test_sixty_five_exactly_is_c():
    # 5 respondents, 45 answers summing to 117: sum of NRR = 23.4, x 25 / 9 = 65.00.
    answers = [[3, 3, 3, 3, 3, 3, 3, 3, 3]] * 3 + [[2, 2, 2, 2, 2, 2, 2, 2, 2]] * 2
    assert sum(map(sum, answers)) == 117
    result = rules.ikm_result(answers)
    assert result.ikm == Decimal("65.00")
    assert result.category == "C"


@pytest.mark.parametrize(
    ("index", "category", "quality"),
    [
        ("100", "A", "Sangat Baik"),
        ("88.31", "A", "Sangat Baik"),
        ("88.30", "B", "Baik"),
        ("76.61", "B", "Baik"),
        ("76.60", "C", "Kurang Baik"),
        ("65.00", "C", "Kurang Baik"),
        ("64.99", "D", "Tidak Baik"),
        ("25.00", "D", "Tidak Baik"),
        ("88.305", "A", "Sangat Baik"),  # rounded half up to 88.31 first, as the table reads
        ("88.304", "B", "Baik"),
    ],
)
def test_categories_at_their_boundaries(index, category, quality):
    assert rules.ikm_category(Decimal(index)) == (category, quality)


def test_out_of_range_indexes_and_answers_are_refused():
    with pytest.raises(ValueError):
        rules.ikm_category(Decimal("24.99"))
    with pytest.raises(ValueError):
        rules.ikm_result([[5] * 9])
    with pytest.raises(ValueError):
        rules.ikm_result([[4] * 8])


@given(st.lists(st.lists(st.integers(1, 4), min_size=9, max_size=9), min_size=1, max_size=40))
def test_the_index_is_always_on_its_scale_and_its_category_matches(answers):
    result = rules.ikm_result(answers)
    assert Decimal(25) <= result.ikm <= Decimal(100)
    assert result.ikm == result.ikm.quantize(Decimal("0.01"))
    lower = {"A": Decimal("88.31"), "B": Decimal("76.61"), "C": Decimal("65"), "D": Decimal(25)}
    assert result.ikm >= lower[result.category]


@pytest.mark.parametrize(
    ("population", "sample"),
    [(1, 1), (10, 10), (100, 80), (101, 86), (1000, 278), (5000, 357), (10**6, 384), (10**7, 384)],
)
def test_krejcie_morgan(population, sample):
    assert rules.minimum_sample(population) == sample


# -- what the public reads --------------------------------------------------------------------


def test_redaction_removes_contacts_numbers_handles_and_names():
    text = (
        "Pak Budi Santoso (NIP 198711032012121003) minta uang; hubungi 0812-3456-7890, "
        "+62 812 1111 2222, budi@example.org atau @budi_s"
    )
    redacted = rules.redact(text, ["Budi Santoso"])
    for secret in ("Budi Santoso", "198711032012121003", "0812", "+62", "example.org", "@budi_s"):
        assert secret not in redacted
    assert "minta uang" in redacted


def test_excerpt_cuts_at_a_word():
    assert rules.excerpt("kata " * 100, 20) == "kata kata kata kata…"


@given(
    user=st.from_regex(r"[a-z][a-z0-9.]{0,12}", fullmatch=True),
    domain=st.from_regex(r"[a-z]{2,10}\.(id|com|org)", fullmatch=True),
    digits=st.from_regex(r"08[0-9]{8,11}", fullmatch=True),
    words=st.text(alphabet="abcdefghij ", max_size=40),
)
def test_contacts_never_survive_redaction(user, domain, digits, words):
    text = f"{words} {user}@{domain} {words} {digits} {words}"
    redacted = rules.redact(text)
    assert f"{user}@{domain}" not in redacted
    assert digits not in redacted
