"""The CPNS selection's pure rules against DESIGN.md section 4 (BKN, KepmenPANRB 321/2024)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.recruitment.selection import rules
from services.recruitment.selection.rules import (
    WIT,
    Applicant,
    Candidate,
    PassingGrade,
    Scores,
    Vacancy,
)

# -- score ranges and multiples -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("twk", 0), ("twk", 150), ("tiu", 0), ("tiu", 175), ("tkp", 0), ("tkp", 225), ("tkp", 44)],
)
def test_scores_at_the_ends_of_their_range_are_accepted(field, value):
    assert rules.skd_problem(field, value) is None


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("twk", 155, "TWK must be between 0 and 150."),
        ("twk", -5, "TWK must be between 0 and 150."),
        ("tiu", 180, "TIU must be between 0 and 175."),
        ("tkp", 226, "TKP must be between 0 and 225."),
        ("tkp", -1, "TKP must be between 0 and 225."),
        ("twk", 63, "TWK must be a multiple of 5."),
        ("tiu", 81, "TIU must be a multiple of 5."),
        ("twk", 65.0, "TWK must be a whole number."),
        ("tiu", True, "TIU must be a whole number."),
        ("tkp", "166", "TKP must be a whole number."),
    ],
)
def test_scores_out_of_range_or_not_a_multiple_of_5_are_refused(field, value, reason):
    assert rules.skd_problem(field, value) == reason


def test_tkp_takes_any_whole_number_because_a_blank_answer_scores_0():
    assert all(rules.skd_problem("tkp", value) is None for value in range(226))


def test_an_unknown_part_is_named():
    assert "Unknown SKD part" in rules.skd_problem("skb", 50)


@pytest.mark.parametrize("value", [0, 100, Decimal("78.55"), "64.1", 55.5])
def test_skb_from_0_to_100_with_two_decimals(value):
    assert rules.skb_problem(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (Decimal("100.01"), "SKB must be between 0 and 100."),
        (Decimal("-0.01"), "SKB must be between 0 and 100."),
        (Decimal("78.555"), "SKB has at most two decimals."),
        ("abc", "SKB must be a number."),
        (Decimal("NaN"), "SKB must be a number."),
        (None, "SKB must be a number."),
    ],
)
def test_skb_out_of_range_or_too_precise_is_refused(value, reason):
    assert rules.skb_problem(value) == reason


def test_gpa_is_0_to_4_with_two_decimals():
    assert rules.gpa_problem(Decimal("4.00")) is None
    assert rules.gpa_problem(Decimal("0")) is None
    assert rules.gpa_problem(Decimal("4.01")) == "GPA must be between 0.00 and 4.00."
    assert rules.gpa_problem(Decimal("3.555")) == "GPA has at most two decimals."


def test_categories():
    assert rules.category_problem("DISABILITY") is None
    assert "must be one of" in rules.category_problem("VETERAN")


# -- passing grades (KepmenPANRB 321/2024) --------------------------------------------------------


@pytest.mark.parametrize(
    ("twk", "tiu", "tkp", "problem"),
    [
        (65, 80, 166, None),
        (60, 80, 166, "TWK 60 is below the passing grade 65."),
        (65, 75, 166, "TIU 75 is below the passing grade 80."),
        (65, 80, 165, "TKP 165 is below the passing grade 166."),
        (150, 175, 225, None),
    ],
)
def test_general_passing_grade_is_twk_65_tiu_80_tkp_166(twk, tiu, tkp, problem):
    assert rules.passing_grade_problem("GENERAL", None, twk, tiu, tkp) == problem


@pytest.mark.parametrize("category", ["CUM_LAUDE", "DIASPORA"])
def test_cum_laude_and_diaspora_need_total_311_and_tiu_85(category):
    assert rules.passing_grade_problem(category, None, 60, 85, 166) is None  # 311, TWK < 65 is fine
    assert rules.passing_grade_problem(category, None, 60, 85, 165) == (
        "SKD total 310 is below the passing grade 311."
    )
    assert rules.passing_grade_problem(category, None, 100, 80, 200) == (
        "TIU 80 is below the passing grade 85."
    )


def test_disability_needs_total_286_and_tiu_60():
    assert rules.passing_grade_problem("DISABILITY", None, 60, 60, 166) is None  # 286
    assert rules.passing_grade_problem("DISABILITY", None, 60, 60, 165) == (
        "SKD total 285 is below the passing grade 286."
    )
    assert rules.passing_grade_problem("DISABILITY", None, 100, 55, 200) == (
        "TIU 55 is below the passing grade 60."
    )


def test_a_years_own_grades_replace_the_2024_ones_and_a_null_bound_is_not_applied():
    grades = {"GENERAL": PassingGrade(twk_min=70, tiu_min=None, tkp_min=150)}
    assert rules.passing_grade_problem("GENERAL", grades, 70, 0, 150) is None
    assert rules.passing_grade_problem("GENERAL", grades, 65, 80, 166) == (
        "TWK 65 is below the passing grade 70."
    )
    # A category the year does not configure keeps the 2024 grade.
    assert rules.grade_for("DISABILITY", grades) == PassingGrade(tiu_min=60, total_min=286)


# -- final score ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("skd", "skb", "final"),
    [
        (550, Decimal(100), Decimal("100.000")),
        (0, Decimal(0), Decimal("0.000")),
        (380, Decimal("80.5"), Decimal("75.936")),  # 27.6363... + 48.3
        (1, Decimal(0), Decimal("0.073")),  # 0.0727... rounds up
        (311, Decimal("64.37"), Decimal("61.240")),  # 22.6181... + 38.622 = 61.2401... rounds down
        (275, Decimal("50"), Decimal("50.000")),  # exactly half of each
    ],
)
def test_final_score_is_40_percent_skd_and_60_percent_skb(skd, skb, final):
    assert rules.final_score(skd, skb) == final
    assert rules.final_score(skd, skb).as_tuple().exponent == -3


@given(st.integers(0, 550), st.integers(0, 10000))
def test_final_score_in_thousandths_is_the_integer_formula_the_database_uses(skd, hundredths):
    skb = Decimal(hundredths) / 100
    milli = (skd * 1600 + 11) // 22 + hundredths * 6
    assert rules.final_score(skd, skb) == Decimal(milli) / 1000
    assert 0 <= rules.final_score(skd, skb) <= 100


# -- SKB shortlist ---------------------------------------------------------------------------------


def test_shortlist_takes_three_times_the_quota_by_skd_total():
    candidates = [Scores(n, 100, 100, 150 + n) for n in range(10)]
    assert rules.shortlist(candidates, 2) == {9, 8, 7, 6, 5, 4}


def test_fewer_passers_than_places_all_go_through():
    assert rules.shortlist([Scores("a", 100, 100, 170), Scores("b", 65, 80, 166)], 5) == {"a", "b"}


def test_a_tie_at_the_cut_off_is_broken_by_tkp_then_tiu():
    top = [Scores("1", 150, 175, 225), Scores("2", 150, 175, 220)]
    # Third place (quota 1): same SKD total 380, broken by TKP, then TIU.
    tied = [Scores("tkp", 100, 100, 180), Scores("low-tkp", 105, 100, 175)]
    assert rules.shortlist(top + tied, 1) == {"1", "2", "tkp"}
    tied = [Scores("tiu", 100, 105, 175), Scores("low-tiu", 105, 100, 175)]
    assert rules.shortlist(top + tied, 1) == {"1", "2", "tiu"}


def test_still_tied_at_the_cut_off_all_go_through():
    top = [Scores("1", 150, 175, 225), Scores("2", 150, 175, 220)]
    tied = [Scores(f"t{n}", 100, 100, 180) for n in range(4)]
    below = [Scores("out", 95, 100, 180)]
    assert rules.shortlist(top + tied + below, 1) == {"1", "2", "t0", "t1", "t2", "t3"}


def test_a_tie_above_the_cut_off_does_not_widen_the_list():
    scores = [Scores(n, 100, 100, 180) for n in range(2)] + [
        Scores(n, 100, 100, 170 - n) for n in range(2, 6)
    ]
    assert rules.shortlist(scores, 1) == {0, 1, 2}


small_scores = st.builds(
    lambda twk, tiu, tkp: (twk * 5, tiu * 5, tkp),
    st.integers(12, 15),
    st.integers(15, 18),
    st.integers(165, 170),
)


@given(st.lists(small_scores, max_size=30), st.integers(1, 4), st.randoms())
def test_shortlist_does_not_depend_on_input_order_and_keeps_every_better_score(
    scores, quota, shuffler
):
    candidates = [Scores(n, *s) for n, s in enumerate(scores)]
    chosen = rules.shortlist(candidates, quota)
    shuffled = list(candidates)
    shuffler.shuffle(shuffled)
    assert rules.shortlist(shuffled, quota) == chosen
    assert len(chosen) >= min(len(candidates), 3 * quota)
    key = {c.key: rules.shortlist_key(c.twk, c.tiu, c.tkp) for c in candidates}
    for inside in chosen:
        assert all(key[inside] < key[out] for out in set(key) - chosen)
    if len(chosen) > 3 * quota:  # only a tie at the cut-off widens the list
        worst = max(key[c] for c in chosen)
        assert sum(key[c] == worst for c in chosen) > len(chosen) - 3 * quota


# -- the final ranking -----------------------------------------------------------------------------


def key(final="80", twk=100, tiu=100, tkp=180, gpa="3.50", born=date(1995, 1, 1), reg="R1"):
    return rules.ranking_key(Decimal(final), twk, tiu, tkp, Decimal(gpa), born, reg)


def test_the_tie_break_chain_down_to_age_and_registration_number():
    chain = [
        (key(final="80.001"), key(final="80.000")),
        (key(twk=105, tkp=175), key(twk=100, tkp=175)),  # same final, SKD total decides
        (key(twk=100, tkp=180), key(twk=105, tkp=175)),  # same SKD total: TKP
        (key(tiu=105, twk=95), key(tiu=100, twk=100)),  # same SKD and TKP: TIU
        (key(gpa="3.51"), key(gpa="3.50")),  # same scores: GPA
        (key(born=date(1990, 5, 1)), key(born=date(1990, 5, 2))),  # the older applicant
        (key(reg="R1"), key(reg="R2")),  # last resort: the registration number
    ]
    for better, worse in chain:
        assert better < worse


applicant_rows = st.builds(
    lambda final, twk, tiu, tkp, gpa, born: (final, twk * 5, tiu * 5, tkp, gpa, born),
    st.sampled_from([Decimal("70.5"), Decimal("71.25"), Decimal("80")]),
    st.integers(13, 14),
    st.integers(16, 17),
    st.integers(170, 171),
    st.sampled_from([Decimal("3.50"), Decimal("3.75")]),
    st.sampled_from([date(1994, 2, 1), date(1994, 2, 2)]),
)


@given(st.lists(applicant_rows, max_size=40), st.randoms())
def test_the_ranking_is_a_total_order_independent_of_input_order(rows, shuffler):
    keys = [rules.ranking_key(*row, f"REG{n:05d}") for n, row in enumerate(rows)]
    assert len(set(keys)) == len(keys)  # no two applicants compare equal
    shuffled = list(keys)
    shuffler.shuffle(shuffled)
    assert sorted(shuffled) == sorted(keys)


def applicant(n, twk, tiu, tkp, skb=None, **extra):
    return Applicant(
        n, f"R{n:03d}", date(1995, 1, 1), Decimal("3.00"), twk, tiu, tkp,
        None if skb is None else Decimal(skb), **extra,
    )  # fmt: skip


def test_rank_formation_gives_every_application_its_outcome():
    applicants = [
        applicant(1, 100, 100, 180, "95"),  # best final
        applicant(2, 100, 100, 180, "80"),
        applicant(3, 100, 100, 170, "90"),
        applicant(4, 100, 100, 169),  # passed, not in the 3 places
        applicant(5, 60, 100, 180, "99"),  # TWK below 65
        applicant(6, 100, 100, 180, "99", verification="TMS"),
        applicant(7, 100, 100, 180, "99", withdrawn=True),
        applicant(8, None, None, None),
        applicant(9, 100, 100, 180, "99", verification="PENDING"),
    ]
    results = rules.rank_formation(applicants, quota=1)
    outcomes = {n: (r.outcome, r.rank, r.shortlisted, r.passed_grade) for n, r in results.items()}
    assert outcomes == {
        1: ("SELECTED", 1, True, True),
        3: ("NOT_SELECTED", 2, True, True),
        2: ("NOT_SELECTED", 3, True, True),
        4: ("NOT_SHORTLISTED", None, False, True),
        5: ("FAILED_GRADE", None, False, False),
        6: ("TMS", None, False, False),
        7: ("WITHDRAWN", None, False, False),
        8: ("NO_SCORE", None, False, False),
        9: ("NO_SCORE", None, False, False),
    }
    assert results[1].final_score == Decimal("84.636") and results[1].skd_total == 380
    assert results[8].skd_total == 0 and results[8].final_score is None


def test_shortlisted_without_an_skb_score_is_not_ranked_yet():
    results = rules.rank_formation([applicant(1, 100, 100, 180)], quota=1)
    assert (results[1].shortlisted, results[1].rank, results[1].outcome) == (True, None, "NO_SCORE")


def test_rank_formation_applies_the_formations_category():
    cum_laude = applicant(1, 60, 85, 166, "70")  # total 311, TWK under the general grade
    assert rules.rank_formation([cum_laude], 1, "CUM_LAUDE")[1].outcome == "SELECTED"
    assert rules.rank_formation([cum_laude], 1, "GENERAL")[1].outcome == "FAILED_GRADE"


# -- appeals ---------------------------------------------------------------------------------------


def wit(*parts):
    return datetime(*parts, tzinfo=WIT)


def test_appeals_are_filed_until_the_end_of_the_third_wit_day_after_the_announcement():
    announced = wit(2024, 12, 1, 10, 0)
    assert rules.appeal_filing_closes(announced) == wit(2024, 12, 5, 0, 0)
    assert rules.appeal_filing_problem(announced, wit(2024, 12, 1, 10, 0)) is None
    assert rules.appeal_filing_problem(announced, wit(2024, 12, 4, 23, 59, 59)) is None
    assert rules.appeal_filing_problem(announced, wit(2024, 12, 5, 0, 0)) == (
        "Appeals could be filed until 2024-12-04 (WIT), 3 days after the announcement."
    )


def test_calendar_days_are_counted_in_wit_not_utc():
    announced = datetime(2024, 12, 1, 20, 0, tzinfo=UTC)  # already 2 December in Sofifi
    assert rules.appeal_filing_closes(announced) == wit(2024, 12, 6, 0, 0)
    assert rules.appeal_filing_closes(announced).tzinfo is UTC


def test_no_appeal_before_the_announcement():
    reason = "The result of this formation has not been announced yet."
    assert rules.appeal_filing_problem(None, wit(2024, 12, 1)) == reason
    assert rules.appeal_filing_problem(wit(2024, 12, 1, 10), wit(2024, 12, 1, 9)) == reason


def test_an_appeal_is_answered_by_the_end_of_the_seventh_wit_day_after_filing():
    assert rules.appeal_answer_due(wit(2024, 12, 3, 23, 0)) == wit(2024, 12, 11, 0, 0)
    assert rules.appeal_answer_due(wit(2024, 12, 3, 0, 0)) == wit(2024, 12, 11, 0, 0)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
def test_the_filing_window_is_three_to_four_days_long(moment):
    announced = moment.replace(tzinfo=UTC)
    length = rules.appeal_filing_closes(announced) - announced
    assert timedelta(days=3) < length <= timedelta(days=4)


# -- optimisation ----------------------------------------------------------------------------------


def post(formation_id, code, empty=1, category="GENERAL", position="Perawat", education="D3"):
    return Vacancy(formation_id, code, position, education, category, empty)


def cand(n, formation_id, final, category="GENERAL", position="Perawat", education="D3"):
    k = rules.ranking_key(Decimal(final), 100, 100, 180, Decimal("3"), date(1995, 1, 1), f"R{n}")
    return Candidate(n, formation_id, position, education, category, k)


def test_an_empty_post_takes_the_next_ranked_of_the_same_position_and_education():
    candidates = [
        cand(1, 10, "70"),
        cand(2, 11, "75"),
        cand(3, 11, "90", education="S1"),  # other qualification
        cand(4, 12, "95", position="Bidan"),  # other position
    ]
    assert rules.optimisation_choices([post(1, "A", empty=2)], candidates) == [(2, 1), (1, 1)]


def test_special_posts_draw_from_their_category_and_the_general_list_general_posts_do_not():
    candidates = [cand(1, 10, "70"), cand(2, 11, "80", category="DISABILITY")]
    assert rules.optimisation_choices([post(1, "A")], candidates) == [(1, 1)]
    assert rules.optimisation_choices([post(1, "A", category="DISABILITY")], candidates) == [(2, 1)]
    assert rules.optimisation_choices([post(1, "A", category="CUM_LAUDE")], candidates) == [(1, 1)]


def test_posts_are_filled_in_code_order_each_once_and_not_from_their_own_formation():
    candidates = [cand(1, 10, "90"), cand(2, 2, "80"), cand(3, 11, "70")]
    posts = [post(2, "B"), post(1, "A", empty=2)]
    # A takes 1 then 2; B takes the best left that is not its own (3).
    assert rules.optimisation_choices(posts, candidates) == [(1, 1), (2, 1), (3, 2)]
    posts = [post(2, "A"), post(1, "B", empty=2)]
    assert rules.optimisation_choices(posts, candidates) == [(1, 2), (2, 1), (3, 1)]


def test_nothing_to_draw_leaves_the_post_empty():
    assert rules.optimisation_choices([post(1, "A", empty=3)], [cand(1, 10, "70")]) == [(1, 1)]
    assert rules.optimisation_choices([post(1, "A")], []) == []


@settings(max_examples=50)
@given(st.randoms())
def test_optimisation_does_not_depend_on_input_order(shuffler):
    rng = random.Random(shuffler.random())
    candidates = [
        cand(n, rng.randint(1, 6), f"{rng.randint(60, 70)}", category=rng.choice(rules.CATEGORIES))
        for n in range(30)
    ]
    posts = [post(f, f"F{f}", rng.randint(1, 3), rng.choice(rules.CATEGORIES)) for f in range(1, 7)]
    choices = rules.optimisation_choices(posts, candidates)
    shuffler.shuffle(candidates)
    shuffler.shuffle(posts)
    assert rules.optimisation_choices(posts, candidates) == choices
    moved = [application for application, _ in choices]
    assert len(moved) == len(set(moved))
    by_id = {c.application_id: c for c in candidates}
    for application, into in choices:
        assert by_id[application].formation_id != into
