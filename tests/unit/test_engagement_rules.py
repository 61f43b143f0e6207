"""The small-group rule of the staff engagement survey (no disclosure below ten respondents)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.feedback import rules


@pytest.mark.parametrize(
    ("respondents", "shown"), [(0, False), (1, False), (9, False), (10, True), (11, True)]
)
def test_ten_is_the_smallest_group_shown(respondents, shown):
    assert rules.disclosable(respondents) is shown


def test_results_are_withheld_below_ten_and_averaged_from_ten():
    assert rules.engagement_results([[5, 1]] * 9, 2) is None
    shown = rules.engagement_results([[5, 1]] * 9 + [[4, 2]], 2)
    assert shown == {"means": [4.9, 1.1], "overall": 3.0}


@given(st.lists(st.lists(st.integers(1, 5), min_size=3, max_size=3), max_size=30))
def test_a_result_is_either_withheld_or_within_the_scale(answers):
    shown = rules.engagement_results(answers, 3)
    if len(answers) < rules.MIN_GROUP:
        assert shown is None
    else:
        assert all(1 <= m <= 5 for m in shown["means"]) and 1 <= shown["overall"] <= 5
