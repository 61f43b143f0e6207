"""The roster's rules for imports, sanctions (PP 94/2021) and unpaid leave (CLTN, PP 11/2017)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.recruitment import rules

TMT = date(2015, 3, 1)


# -- supervision over a whole file -------------------------------------------------------------


def naive_depth(supervisor_of: dict[str, str | None], nip: str) -> int:
    """Steps up to someone outside the file, or -1 when the chain never leaves it."""
    steps, current = 0, supervisor_of[nip]
    while current in supervisor_of:
        steps += 1
        if steps > len(supervisor_of):
            return -1
        current = supervisor_of[current]
    return steps


@st.composite
def supervision_links(draw) -> dict[str, str | None]:
    size = draw(st.integers(min_value=0, max_value=30))
    nips = [f"n{i}" for i in range(size)]
    targets = st.one_of(
        st.none(), st.just("on-roster"), st.sampled_from(nips) if nips else st.none()
    )
    return {nip: draw(targets) for nip in nips}


@given(supervision_links())
def test_depths_and_loops_agree_with_walking_each_chain(links):
    depth, loops = rules.supervision_tree(links)

    assert depth == {nip: naive_depth(links, nip) for nip in links}
    on_loops = [nip for loop in loops for nip in loop]
    assert len(on_loops) == len(set(on_loops))  # each loop once
    for loop in loops:
        for i, nip in enumerate(loop):
            assert links[nip] == loop[(i + 1) % len(loop)]  # really a loop, in order
    # Every NIP whose chain never ends is on a loop or leads into one.
    for nip, level in depth.items():
        if level == -1:
            seen, current = set(), nip
            while current not in seen:
                seen.add(current)
                current = links[current]
            assert current in on_loops


@given(supervision_links(), st.randoms())
def test_the_result_does_not_depend_on_the_order_of_the_rows(links, random):
    items = list(links.items())
    random.shuffle(items)
    depth, loops = rules.supervision_tree(links)
    shuffled_depth, shuffled_loops = rules.supervision_tree(dict(items))
    assert shuffled_depth == depth
    assert sorted(map(frozenset, shuffled_loops), key=sorted) == sorted(
        map(frozenset, loops), key=sorted
    )


def test_a_simple_tree_and_a_self_loop():
    assert rules.supervision_tree({"a": None, "b": "a", "c": "b", "d": "boss"}) == (
        {"a": 0, "b": 1, "c": 2, "d": 0},
        [],
    )
    assert rules.supervision_tree({"a": "a"}) == ({"a": -1}, [["a"]])


# -- status -----------------------------------------------------------------------------------


def test_nobody_is_pns_before_the_probation_year_is_over():
    assert rules.status_plausibility_problem("PNS", tmt_cpns=TMT, today=date(2016, 2, 29))
    assert rules.status_plausibility_problem("PNS", tmt_cpns=TMT, today=date(2016, 3, 1)) is None
    for status in ("CPNS", "PPPK"):
        assert rules.status_plausibility_problem(status, tmt_cpns=TMT, today=TMT) is None


# -- sanctions --------------------------------------------------------------------------------


def test_a_sound_sanction_has_no_problem():
    assert (
        rules.sanction_problems(
            decided_on=date(2025, 6, 10),
            effective_from=date(2025, 6, 10),
            effective_until=None,
            today=date(2025, 6, 10),
        )
        == {}
    )


def test_each_impossible_date_of_a_sanction_is_named():
    problems = rules.sanction_problems(
        decided_on=date(2025, 6, 10),
        effective_from=date(2025, 6, 1),
        effective_until=date(2025, 5, 31),
        today=date(2025, 6, 9),
    )
    assert set(problems) == {"decided_on", "effective_from", "effective_until"}


# -- unpaid leave -----------------------------------------------------------------------------

DAY0 = date(2020, 1, 1)
periods = st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(0, 30))).map(
    lambda p: (DAY0 + timedelta(days=p[0]), None if p[1] is None else DAY0 + timedelta(p[0] + p[1]))
)


def days(start: date, end: date | None) -> set[date]:
    last = end or DAY0 + timedelta(days=200)
    return {start + timedelta(days=i) for i in range((last - start).days + 1)}


@given(periods, st.lists(periods, max_size=4))
def test_a_period_is_refused_exactly_when_it_shares_a_day_with_another(new, taken):
    problems = rules.unpaid_leave_problems(*new, tmt_cpns=DAY0, taken=taken)
    shares_a_day = any(days(*new) & days(*other) for other in taken)
    assert ("start" in problems) == shares_a_day


def test_leave_lies_within_service_and_ends_after_it_starts():
    assert "start" in rules.unpaid_leave_problems(
        date(2015, 2, 1), date(2015, 3, 1), tmt_cpns=TMT, taken=[]
    )
    assert "end" in rules.unpaid_leave_problems(
        date(2016, 2, 1), date(2016, 1, 31), tmt_cpns=TMT, taken=[]
    )
    assert rules.unpaid_leave_problems(date(2016, 2, 1), None, tmt_cpns=TMT, taken=[]) == {}
