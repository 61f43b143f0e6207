"""Talent mapping rules (PermenPAN-RB 3/2020): the axes and the nine-box at every boundary."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.training import talent_rules as tr


@pytest.mark.parametrize(
    ("predikats", "level"),
    [
        (["SANGAT_BAIK", "SANGAT_BAIK"], tr.ABOVE),
        (["SANGAT_BAIK", "BAIK"], tr.ABOVE),  # mean 2.5: the boundary is above
        (["BAIK", "SANGAT_BAIK"], tr.ABOVE),
        (["SANGAT_BAIK"], tr.ABOVE),  # one year known
        (["BAIK", "BAIK"], tr.AS_EXPECTED),
        (["SANGAT_BAIK", "KURANG"], tr.AS_EXPECTED),  # mean 2: the boundary is as expected
        (["BAIK"], tr.AS_EXPECTED),
        (["BAIK", "BUTUH_PERBAIKAN"], tr.BELOW),  # mean 1.5
        (["SANGAT_KURANG"], tr.BELOW),
        (["KURANG", "BAIK", "SANGAT_BAIK"], tr.BELOW),  # only the last two years count
    ],
)
def test_performance_from_the_last_two_years(predikats, level):
    assert tr.performance_level(predikats) == level


def test_performance_needs_a_predikat():
    with pytest.raises(ValueError):
        tr.performance_level([])


@pytest.mark.parametrize(
    ("scores", "level"),
    [
        ((3, 3, 90), tr.HIGH),
        ((3, 3, 89.99), tr.MEDIUM),
        ((3, 3, 78), tr.MEDIUM),
        ((3, 3, 77.99), tr.LOW),
        ((2.5, 3.5, 95), tr.HIGH),  # mean competency 3: not capped
        ((2.5, 3.49, 95), tr.MEDIUM),  # mean below 3: capped at MEDIUM
        ((1, 1, 0), tr.LOW),
    ],
)
def test_potential_thresholds(scores, level):
    assert tr.base_potential(*scores) == level


@pytest.mark.parametrize(
    ("base", "education", "years", "track", "level"),
    [
        (tr.MEDIUM, "S2", 10, "GOOD", tr.HIGH),
        (tr.MEDIUM, "S2", 9, "GOOD", tr.MEDIUM),
        (tr.MEDIUM, "S1", 30, "GOOD", tr.MEDIUM),
        (tr.HIGH, "S3", 20, "NEUTRAL", tr.HIGH),  # never beyond HIGH
        (tr.MEDIUM, "S1", 5, "POOR", tr.LOW),
        (tr.LOW, "D3", 5, "POOR", tr.LOW),  # never below LOW
        (tr.MEDIUM, "S2", 12, "POOR", tr.MEDIUM),  # both cancel out
    ],
)
def test_adjustments_move_at_most_one_step(base, education, years, track, level):
    assert tr.adjusted_potential(base, education, years, track) == level


@pytest.mark.parametrize(
    ("performance", "potential", "number", "label"),
    [
        (tr.BELOW, tr.LOW, 1, "Kinerja di bawah ekspektasi dan potensial rendah"),
        (tr.BELOW, tr.MEDIUM, 2, "Kinerja di bawah ekspektasi dan potensial menengah"),
        (tr.AS_EXPECTED, tr.LOW, 3, "Kinerja sesuai ekspektasi dan potensial rendah"),
        (tr.BELOW, tr.HIGH, 4, "Kinerja di bawah ekspektasi dan potensial tinggi"),
        (tr.AS_EXPECTED, tr.MEDIUM, 5, "Kinerja sesuai ekspektasi dan potensial menengah"),
        (tr.ABOVE, tr.LOW, 6, "Kinerja di atas ekspektasi dan potensial rendah"),
        (tr.AS_EXPECTED, tr.HIGH, 7, "Kinerja sesuai ekspektasi dan potensial tinggi"),
        (tr.ABOVE, tr.MEDIUM, 8, "Kinerja di atas ekspektasi dan potensial menengah"),
        (tr.ABOVE, tr.HIGH, 9, "Kinerja di atas ekspektasi dan potensial tinggi"),
    ],
)
def test_every_box_and_its_label(performance, potential, number, label):
    assert tr.box(performance, potential) == number
    assert tr.label(number) == label


@pytest.mark.parametrize(
    ("predikats", "scores", "number"),
    [
        (["SANGAT_BAIK", "BAIK"], (3, 3, 90), 9),  # both axes on their upper boundary
        (["BAIK", "BAIK"], (3, 3, 89.99), 5),
        (["SANGAT_BAIK", "KURANG"], (3, 3, 78), 5),
        (["BAIK", "BUTUH_PERBAIKAN"], (3, 3, 77.99), 1),
        (["BAIK", "BUTUH_PERBAIKAN"], (3, 3, 90), 4),
        (["SANGAT_BAIK", "BAIK"], (3, 3, 77.99), 6),
    ],
)
def test_placement_at_the_boundaries(predikats, scores, number):
    assert tr.box(tr.performance_level(predikats), tr.base_potential(*scores)) == number


@given(
    st.lists(st.sampled_from(sorted(tr.PREDIKAT_SCORE)), min_size=1, max_size=2),
    st.floats(1, 5),
    st.floats(1, 5),
    st.floats(0, 100),
)
def test_every_employee_lands_in_exactly_one_box(predikats, managerial, socio, match):
    number = tr.box(tr.performance_level(predikats), tr.base_potential(managerial, socio, match))
    assert number in tr.BOXES
    assert tr.BOXES[number][:2] == (
        tr.performance_level(predikats),
        tr.base_potential(managerial, socio, match),
    )


@given(st.sampled_from(sorted(tr.PREDIKAT_SCORE)), st.floats(0, 100), st.floats(0, 100))
def test_a_better_match_never_lowers_the_box(predikat, a, b):
    low, high = sorted((a, b))
    performance = tr.performance_level([predikat])
    assert tr.box(performance, tr.base_potential(4, 4, low)) <= tr.box(
        performance, tr.base_potential(4, 4, high)
    )


@pytest.mark.parametrize(
    ("previous", "current", "movement"),
    [(None, 5, "NEW"), (4, 5, "UP"), (6, 5, "DOWN"), (5, 5, "SAME")],
)
def test_movement(previous, current, movement):
    assert tr.movement(previous, current) == movement
