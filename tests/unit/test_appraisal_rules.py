"""PermenPAN-RB 6/2022: the predikat matrix and the unit-rating distribution rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.appraisal import rules
from services.appraisal.rules import (
    PREDIKATS,
    SMALL_UNIT,
    UNIT_RATINGS,
    broken_rules,
    check_distribution,
    distribution,
    objection_window_problem,
    predikat,
)

# -- the predikat matrix --------------------------------------------------------------------

MATRIX = {
    ("DI_ATAS", "DI_BAWAH"): "KURANG",
    ("DI_ATAS", "SESUAI"): "BAIK",
    ("DI_ATAS", "DI_ATAS"): "SANGAT_BAIK",
    ("SESUAI", "DI_BAWAH"): "KURANG",
    ("SESUAI", "SESUAI"): "BAIK",
    ("SESUAI", "DI_ATAS"): "BAIK",
    ("DI_BAWAH", "DI_BAWAH"): "SANGAT_KURANG",
    ("DI_BAWAH", "SESUAI"): "BUTUH_PERBAIKAN",
    ("DI_BAWAH", "DI_ATAS"): "BUTUH_PERBAIKAN",
}


@pytest.mark.parametrize(("ratings", "expected"), sorted(MATRIX.items()))
def test_the_whole_predikat_matrix(ratings, expected):
    results, behaviour = ratings
    assert predikat(results, behaviour) == expected


def test_the_matrix_has_nine_cells():
    cells = {(r, b) for r in rules.RATINGS for b in rules.RATINGS}
    assert cells == set(MATRIX)


@pytest.mark.parametrize(("results", "behaviour"), [("BAGUS", "SESUAI"), ("SESUAI", "sesuai")])
def test_an_unknown_rating_has_no_predikat(results, behaviour):
    with pytest.raises(ValueError, match="unknown rating"):
        predikat(results, behaviour)


# -- distribution rules at their boundaries -------------------------------------------------


def counts(**given_counts: int) -> dict[str, int]:
    return {name: given_counts.get(name, 0) for name in PREDIKATS}


def broken_codes(unit_rating, distribution_):
    return [check.bound.code for check in broken_rules(unit_rating, distribution_)]


def test_istimewa_allows_exactly_70_percent_sangat_baik():
    assert broken_codes("ISTIMEWA", counts(SANGAT_BAIK=7, BAIK=3)) == []
    assert broken_codes("ISTIMEWA", counts(SANGAT_BAIK=8, BAIK=2)) == [
        "ISTIMEWA.SANGAT_BAIK_MAX_70"
    ]


def test_istimewa_cap_rounds_down_for_a_unit_of_seven():
    # 70% of 7 is 4.9 people: at most 4.
    assert broken_codes("ISTIMEWA", counts(SANGAT_BAIK=4, BAIK=3)) == []
    assert broken_codes("ISTIMEWA", counts(SANGAT_BAIK=5, BAIK=2)) == [
        "ISTIMEWA.SANGAT_BAIK_MAX_70"
    ]


def test_baik_allows_exactly_70_percent_baik():
    assert broken_codes("BAIK", counts(BAIK=7, SANGAT_BAIK=2, KURANG=1)) == []
    assert broken_codes("BAIK", counts(BAIK=8, SANGAT_BAIK=1, KURANG=1)) == ["BAIK.BAIK_MAX_70"]


@pytest.mark.parametrize("poor", ["BUTUH_PERBAIKAN", "KURANG"])
def test_baik_needs_some_butuh_perbaikan_or_kurang(poor):
    assert broken_codes("BAIK", counts(BAIK=7, SANGAT_BAIK=2, **{poor: 1})) == []
    assert broken_codes("BAIK", counts(BAIK=7, SANGAT_BAIK=3)) == [
        "BAIK.BUTUH_PERBAIKAN_OR_KURANG_SOME"
    ]


def test_sangat_kurang_does_not_count_as_some_poor_in_a_baik_unit():
    assert broken_codes("BAIK", counts(BAIK=7, SANGAT_BAIK=2, SANGAT_KURANG=1)) == [
        "BAIK.BUTUH_PERBAIKAN_OR_KURANG_SOME"
    ]


def test_butuh_perbaikan_needs_exactly_60_percent():
    assert broken_codes("BUTUH_PERBAIKAN", counts(BUTUH_PERBAIKAN=6, BAIK=4)) == []
    assert broken_codes("BUTUH_PERBAIKAN", counts(BUTUH_PERBAIKAN=5, BAIK=5)) == [
        "BUTUH_PERBAIKAN.BUTUH_PERBAIKAN_MIN_60"
    ]


def test_butuh_perbaikan_allows_exactly_10_percent_sangat_baik():
    assert broken_codes("BUTUH_PERBAIKAN", counts(BUTUH_PERBAIKAN=6, SANGAT_BAIK=1, BAIK=3)) == []
    assert broken_codes("BUTUH_PERBAIKAN", counts(BUTUH_PERBAIKAN=6, SANGAT_BAIK=2, BAIK=2)) == [
        "BUTUH_PERBAIKAN.SANGAT_BAIK_MAX_10"
    ]


def test_kurang_boundaries():
    valid = counts(KURANG=6, BUTUH_PERBAIKAN=1, SANGAT_BAIK=1, BAIK=2)
    assert broken_codes("KURANG", valid) == []
    assert broken_codes("KURANG", {**valid, "KURANG": 5, "BAIK": 3}) == ["KURANG.KURANG_MIN_60"]
    assert broken_codes("KURANG", {**valid, "BUTUH_PERBAIKAN": 0, "BAIK": 3}) == [
        "KURANG.BUTUH_PERBAIKAN_MIN_10"
    ]
    assert broken_codes("KURANG", {**valid, "SANGAT_BAIK": 2, "BAIK": 1}) == [
        "KURANG.SANGAT_BAIK_MAX_10"
    ]


@pytest.mark.parametrize("poor", ["KURANG", "BUTUH_PERBAIKAN"])
def test_sangat_kurang_boundaries(poor):
    valid = counts(SANGAT_KURANG=6, BAIK=3, **{poor: 1})
    assert broken_codes("SANGAT_KURANG", valid) == []
    assert broken_codes("SANGAT_KURANG", {**valid, "SANGAT_KURANG": 5, "BAIK": 4}) == [
        "SANGAT_KURANG.SANGAT_KURANG_MIN_60"
    ]
    assert broken_codes("SANGAT_KURANG", {**valid, poor: 0, "BAIK": 4}) == [
        "SANGAT_KURANG.KURANG_OR_BUTUH_PERBAIKAN_MIN_10"
    ]
    assert broken_codes("SANGAT_KURANG", {**valid, "SANGAT_BAIK": 1, "BAIK": 2}) == [
        "SANGAT_KURANG.SANGAT_BAIK_NONE"
    ]


def test_sixty_percent_rounds_up_and_ten_percent_down_in_a_unit_of_eleven():
    # 60% of 11 is 6.6 people: at least 7. 10% of 11 is 1.1: at least 2, at most 1.
    ok = counts(BUTUH_PERBAIKAN=7, SANGAT_BAIK=1, BAIK=3)
    assert broken_codes("BUTUH_PERBAIKAN", ok) == []
    assert broken_codes("BUTUH_PERBAIKAN", {**ok, "BUTUH_PERBAIKAN": 6, "BAIK": 4}) == [
        "BUTUH_PERBAIKAN.BUTUH_PERBAIKAN_MIN_60"
    ]
    assert broken_codes("KURANG", counts(KURANG=8, BUTUH_PERBAIKAN=1, BAIK=2)) == [
        "KURANG.BUTUH_PERBAIKAN_MIN_10"
    ]
    assert broken_codes("KURANG", counts(KURANG=7, BUTUH_PERBAIKAN=2, SANGAT_BAIK=2)) == [
        "KURANG.SANGAT_BAIK_MAX_10"
    ]


def test_several_broken_rules_are_all_reported_with_allowed_and_actual():
    broken = broken_rules("KURANG", counts(BAIK=8, SANGAT_BAIK=2))
    shown = [check.as_dict() for check in broken]
    assert [row["code"] for row in shown] == [
        "KURANG.KURANG_MIN_60",
        "KURANG.BUTUH_PERBAIKAN_MIN_10",
        "KURANG.SANGAT_BAIK_MAX_10",
    ]
    last = shown[-1]
    assert (last["allowed"], last["actual"], last["actual_percent"], last["total"]) == (
        1,
        2,
        20.0,
        10,
    )
    assert "SANGAT_BAIK at most 10%" in last["message"]
    assert "at most 1, actual 2 (20.0%)" in last["message"]


# -- small units -----------------------------------------------------------------------------


def test_a_small_baik_unit_needs_no_poor_predikat():
    # 3 people: at most 2 BAIK; "some BUTUH_PERBAIKAN/KURANG" is waived below ten people.
    checks = check_distribution("BAIK", counts(BAIK=2, SANGAT_BAIK=1))
    assert [check.status for check in checks] == ["ok", "waived"]
    assert "waived" in checks[1].as_dict()["message"]


def test_the_waiver_ends_at_ten_people():
    assert SMALL_UNIT == 10
    assert broken_codes("BAIK", counts(BAIK=6, SANGAT_BAIK=3)) == []
    assert broken_codes("BAIK", counts(BAIK=7, SANGAT_BAIK=3)) == [
        "BAIK.BUTUH_PERBAIKAN_OR_KURANG_SOME"
    ]


def test_a_small_sangat_kurang_unit_of_one():
    assert broken_codes("SANGAT_KURANG", counts(SANGAT_KURANG=1)) == []
    assert broken_codes("SANGAT_KURANG", counts(KURANG=1)) == ["SANGAT_KURANG.SANGAT_KURANG_MIN_60"]


def test_caps_still_apply_to_small_units():
    # 10% of 5 is half a person: no SANGAT_BAIK in a small BUTUH_PERBAIKAN unit.
    assert broken_codes("BUTUH_PERBAIKAN", counts(BUTUH_PERBAIKAN=4, SANGAT_BAIK=1)) == [
        "BUTUH_PERBAIKAN.SANGAT_BAIK_MAX_10"
    ]
    # 70% of 1 is 0.7 people: the one member of an ISTIMEWA unit cannot be SANGAT_BAIK.
    assert broken_codes("ISTIMEWA", counts(SANGAT_BAIK=1)) == ["ISTIMEWA.SANGAT_BAIK_MAX_70"]
    assert broken_codes("ISTIMEWA", counts(SANGAT_BAIK=1, BAIK=1)) == []


@pytest.mark.parametrize("unit_rating", UNIT_RATINGS)
def test_an_empty_unit_breaks_nothing(unit_rating):
    assert broken_rules(unit_rating, counts()) == []


def test_unknown_values_are_refused():
    with pytest.raises(ValueError):
        check_distribution("LUAR_BIASA", counts(BAIK=1))
    with pytest.raises(ValueError):
        distribution(["BAIK", "BAGUS"])


# -- properties ------------------------------------------------------------------------------

predikat_lists = st.lists(st.sampled_from(PREDIKATS), max_size=60)


@given(predikat_lists, st.sampled_from(UNIT_RATINGS), st.randoms())
def test_order_does_not_matter(predikats, unit_rating, rnd):
    shuffled = list(predikats)
    rnd.shuffle(shuffled)
    assert broken_codes(unit_rating, distribution(predikats)) == broken_codes(
        unit_rating, distribution(shuffled)
    )


@given(st.integers(min_value=1, max_value=400), st.sampled_from(UNIT_RATINGS))
def test_shares_match_exact_fractions(total, unit_rating):
    for bound in rules.UNIT_RULES[unit_rating]:
        if bound.percent is None:
            continue
        allowed = bound.allowed(total)
        if bound.kind == "max":
            assert allowed * 100 <= bound.percent * total < (allowed + 1) * 100
        else:
            assert (allowed - 1) * 100 < bound.percent * total <= allowed * 100


@given(predikat_lists, st.sampled_from(UNIT_RATINGS))
def test_one_more_sangat_baik_never_mends_a_capped_rule(predikats, unit_rating):
    # Monotonicity: moving one BAIK up to SANGAT_BAIK can break a SANGAT_BAIK cap, never mend it.
    if "BAIK" not in predikats:
        return
    before = distribution(predikats)
    after = {**before, "BAIK": before["BAIK"] - 1, "SANGAT_BAIK": before["SANGAT_BAIK"] + 1}
    capped = {b.code for b in rules.UNIT_RULES[unit_rating] if b.categories == ("SANGAT_BAIK",)}
    assert capped & set(broken_codes(unit_rating, before)) <= set(broken_codes(unit_rating, after))


@given(st.sampled_from(UNIT_RATINGS), st.integers(min_value=1, max_value=400))
def test_every_unit_rating_can_be_met_by_any_unit(unit_rating, total):
    assert broken_rules(unit_rating, ideal(unit_rating, total)) == []


def ideal(unit_rating, total):
    """A distribution meant to satisfy `unit_rating` for `total` people."""
    main = -(-60 * total // 100)
    if unit_rating == "ISTIMEWA":
        return counts(SANGAT_BAIK=70 * total // 100, BAIK=total - 70 * total // 100)
    if unit_rating == "BAIK":
        return counts(BAIK=70 * total // 100, KURANG=total - 70 * total // 100)
    if unit_rating == "BUTUH_PERBAIKAN":
        return counts(BUTUH_PERBAIKAN=main, BAIK=total - main)
    if unit_rating == "KURANG":
        return counts(KURANG=main, BUTUH_PERBAIKAN=total - main)
    return counts(SANGAT_KURANG=main, KURANG=total - main)


# -- the objection window --------------------------------------------------------------------


def test_an_objection_may_be_filed_until_fourteen_days_after_finalization():
    finalized = datetime(2025, 1, 20, 2, 0, tzinfo=UTC)
    assert objection_window_problem(finalized, finalized + timedelta(days=14)) is None
    late = objection_window_problem(finalized, finalized + timedelta(days=14, seconds=1))
    assert late is not None and "14 days" in late
