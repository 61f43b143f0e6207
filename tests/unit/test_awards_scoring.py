"""Pure rules of Sofifi Berprestasi: timeline, recusal, weighted aggregate, ties, decision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.awards import scoring
from services.awards.scoring import CategoryTerms, Member, Nominee

WEIGHTS = {"KINERJA": 50, "INTEGRITAS": 30, "INOVASI": 20}
BY_WEIGHT = ["KINERJA", "INTEGRITAS", "INOVASI"]
T0 = datetime(2025, 2, 1, tzinfo=UTC)


def timeline(**moves):
    day = date(2025, 2, 1)
    dates = {name: day + timedelta(days=7 * i) for i, name in enumerate(scoring.TIMELINE)}
    return dates | moves


def test_a_timeline_in_order_is_accepted_and_same_day_steps_too():
    assert scoring.timeline_problems(timeline(), 2024) == {}
    same_day = dict.fromkeys(scoring.TIMELINE, date(2025, 2, 1))
    assert scoring.timeline_problems(same_day, 2024) == {}


def test_a_timeline_out_of_order_names_the_date():
    problems = scoring.timeline_problems(timeline(scoring_open=date(2025, 2, 2)), 2024)

    assert list(problems) == ["scoring_open"]


def test_nominations_cannot_open_before_the_year_rewarded():
    assert "nominations_open" in scoring.timeline_problems(timeline(), 2026)


def test_weights_must_add_up_to_100():
    assert scoring.criteria_problems(WEIGHTS) == {}
    assert "criteria" in scoring.criteria_problems({"A": 60, "B": 30})


# -- recusal --------------------------------------------------------------------------------

NOMINEE = Nominee("N", "BKD", chain=("S1", "HEAD"), nominated_by="sup", nominator_nip="S1")


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (Member("x", nip="N"), "IS_NOMINEE"),
        (Member("sup"), "NOMINATED_THEM"),
        (Member("other-account", nip="S1"), "NOMINATED_THEM"),
        (Member("head", nip="HEAD", unit="SETDA"), "SUPERVISION_CHAIN"),
        (Member("colleague", unit="BKD"), "SAME_UNIT"),
        (Member("outsider", nip="Z", unit="INSPEKTORAT"), None),
        (Member("no-claims"), None),
    ],
)
def test_conflicts(member, reason):
    assert scoring.conflict(member, NOMINEE) == reason


def test_the_supervision_chain_stops_at_a_loop_and_at_the_top():
    supervisors = {"A": "B", "B": "C", "C": None, "L1": "L2", "L2": "L1"}

    assert scoring.supervision_chain("A", supervisors) == ("B", "C")
    assert scoring.supervision_chain("L1", supervisors) == ("L2",)
    assert scoring.supervision_chain("unknown", supervisors) == ()


# -- scores ---------------------------------------------------------------------------------


def test_weighted_total_by_hand():
    # 0.5*90 + 0.3*80 + 0.2*70 = 45 + 24 + 14
    assert scoring.weighted_total({"KINERJA": 90, "INTEGRITAS": 80, "INOVASI": 70}, WEIGHTS) == 83


def test_aggregate_mean_and_spread_by_hand():
    sheets = [
        {"KINERJA": 90, "INTEGRITAS": 80, "INOVASI": 70},  # 83
        {"KINERJA": 70, "INTEGRITAS": 80, "INOVASI": 90},  # 77
        {"KINERJA": 80, "INTEGRITAS": 80, "INOVASI": 80},  # 80
    ]

    total = scoring.aggregate(1, "INOVASI", "N", T0, sheets, WEIGHTS)

    assert total.score == 80.0 and total.scorers == 3
    assert total.spread == {"min": 77.0, "max": 83.0, "stdev": round(6**0.5, 4)}
    assert total.criteria == {"KINERJA": 80.0, "INTEGRITAS": 80.0, "INOVASI": 80.0}


@given(
    st.lists(
        st.fixed_dictionaries({c: st.integers(0, 100) for c in WEIGHTS}), min_size=1, max_size=9
    )
)
def test_the_aggregate_lies_within_the_spread(sheets):
    total = scoring.aggregate(1, "C", "N", T0, sheets, WEIGHTS)

    assert total.spread["min"] - 1e-9 <= total.score <= total.spread["max"] + 1e-9
    assert 0 <= total.score <= 100


def item(nomination_id, score, kinerja, stdev, scorers=3, minutes=0, category="C"):
    return scoring.Aggregate(
        nomination_id,
        category,
        scorers,
        score,
        {"min": score, "max": score, "stdev": stdev},
        {"KINERJA": kinerja, "INTEGRITAS": 0.0, "INOVASI": 0.0},
        T0 + timedelta(minutes=minutes),
        f"N{nomination_id}",
    )


def test_ties_are_broken_by_the_heaviest_criterion_then_agreement_then_time():
    items = [
        item(1, 80.0, 70.0, 1.0),
        item(2, 80.0, 90.0, 5.0),  # same aggregate, better on KINERJA
        item(3, 80.0, 70.0, 0.5),  # like 1, but the committee agreed more
        item(4, 80.0, 70.0, 0.5, minutes=-5),  # like 3, nominated earlier
        item(5, 85.0, 10.0, 9.0),  # the best aggregate wins whatever else
        item(6, 99.0, 99.0, 0.0, scorers=1),  # too few sheets: not ranked
    ]

    ranking = scoring.rank(items, ["C"], BY_WEIGHT, min_scorers=2)["C"]

    assert [a.nomination_id for a in ranking.ranked] == [5, 2, 4, 3, 1]
    assert [a.nomination_id for a in ranking.unranked] == [6]


# -- decision -------------------------------------------------------------------------------


@pytest.fixture
def rankings():
    a = [item(1, 90.0, 90, 0), item(2, 80.0, 80, 0), item(3, 70.0, 70, 0)]
    b = [item(4, 95.0, 95, 0, category="B"), item(5, 60.0, 60, 0, scorers=1, category="B")]
    return scoring.rank([*a, *b], ["C", "B"], BY_WEIGHT, min_scorers=2)


TERMS = {"C": CategoryTerms(quota=2, incentive_amount=10), "B": CategoryTerms(1, 15)}


@pytest.mark.parametrize(
    ("chosen", "budget", "problem"),
    [
        ([1, 2, 4], 35, None),
        ([], 0, None),
        ([1, 2, 3], 100, "quota"),
        ([2], 100, "passed over"),
        ([1, 4], 24, "budget"),
        ([5], 100, "too few score sheets"),
        ([99], 100, "not a nomination"),
        ([1, 1], 100, "more than once"),
    ],
)
def test_decision_problems(rankings, chosen, budget, problem):
    problems = scoring.decision_problems(chosen, rankings, TERMS, budget)

    if problem is None:
        assert problems == {}
    else:
        assert problem in problems["awards"]
