"""Pure rules of the JP ledger, compliance, Latsar, seats and overlaps; the plan solver."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.training import milp, planner, rules
from services.training.rules import LedgerLine


def test_jp_count_in_the_year_they_were_completed():
    lines = [
        LedgerLine(10, date(2024, 12, 31), "TEKNIS"),
        LedgerLine(12, date(2025, 1, 1), "TEKNIS"),
        LedgerLine(8, date(2025, 12, 31), "MANAJERIAL"),
        LedgerLine(6, date(2026, 1, 1), "SOSIAL_KULTURAL"),
    ]
    totals = rules.year_totals(2025, lines)
    assert totals.by_type == {"TEKNIS": 12.0, "MANAJERIAL": 8.0, "SOSIAL_KULTURAL": 0.0}
    assert (totals.total, totals.compliant) == (20.0, True)
    assert rules.year_totals(2024, lines).total == 10
    assert rules.year_totals(2026, lines).compliant is False


def test_pending_external_learning_does_not_count_until_approved():
    lines = [
        LedgerLine(16, date(2025, 5, 1), "TEKNIS"),
        LedgerLine(8, date(2025, 6, 1), "TEKNIS", approved=False),
    ]
    totals = rules.year_totals(2025, lines)
    assert (totals.total, totals.pending, totals.compliant) == (16, 8, False)
    approved = rules.year_totals(2025, [lines[0], LedgerLine(8, date(2025, 6, 1), "TEKNIS")])
    assert (approved.total, approved.pending, approved.compliant) == (24, 0, True)


def test_exactly_twenty_jp_is_compliant():
    assert rules.year_totals(2025, [LedgerLine(20, date(2025, 7, 1), "TEKNIS")]).compliant
    assert not rules.year_totals(2025, [LedgerLine(19.5, date(2025, 7, 1), "TEKNIS")]).compliant


def test_months_left_and_at_risk_across_year_boundaries():
    assert rules.months_left(2025, date(2024, 12, 31)) == 12
    assert rules.months_left(2025, date(2025, 1, 1)) == 12
    assert rules.months_left(2025, date(2025, 12, 31)) == 1
    assert rules.months_left(2025, date(2026, 1, 1)) == 0
    assert rules.at_risk(8, 8, 2025, date(2025, 10, 1))
    assert not rules.at_risk(8, 12, 2025, date(2025, 10, 1))  # booked courses close the gap
    assert not rules.at_risk(0, 0, 2025, date(2026, 1, 2))  # the year is over: missed


def test_unit_compliance():
    assert rules.unit_compliance([20, 19.9, 40, 0]) == {"employees": 4, "compliant": 2, "rate": 0.5}
    assert rules.unit_compliance([]) == {"employees": 0, "compliant": 0, "rate": 0.0}


def test_latsar_window_and_warning():
    tmt = date(2025, 3, 1)
    before = rules.latsar_status(tmt, done=False, today=date(2025, 11, 30))
    assert (before.probation_ends, before.days_left, before.warn) == (date(2026, 3, 1), 91, False)
    warned = rules.latsar_status(tmt, done=False, today=date(2025, 12, 1))
    assert (warned.days_left, warned.warn, warned.overdue) == (90, True, False)
    late = rules.latsar_status(tmt, done=False, today=date(2026, 3, 1))
    assert (late.overdue, late.warn) == (True, True)
    assert not rules.latsar_status(tmt, done=True, today=date(2026, 2, 1)).warn
    leap = rules.latsar_status(date(2024, 2, 29), done=False, today=date(2025, 1, 1))
    assert leap.probation_ends == date(2025, 3, 1)


def test_seats_and_waitlist():
    assert rules.seat_outcome(1, 2, waitlist=False) == "ENROLLED"
    assert rules.seat_outcome(2, 2, waitlist=False) is None
    assert rules.seat_outcome(2, 2, waitlist=True) == "WAITLISTED"


@given(
    st.dates(date(2025, 1, 1), date(2025, 12, 31)),
    st.integers(0, 20),
    st.dates(date(2025, 1, 1), date(2025, 12, 31)),
    st.integers(0, 20),
)
def test_overlap_is_symmetric_and_means_a_shared_day(a, la, b, lb):
    a_end, b_end = a + timedelta(days=la), b + timedelta(days=lb)
    shared = {a + timedelta(days=k) for k in range(la + 1)} & {
        b + timedelta(days=k) for k in range(lb + 1)
    }
    assert rules.overlaps(a, a_end, b, b_end) == rules.overlaps(b, b_end, a, a_end) == bool(shared)


@given(st.integers(0, 10**9), st.integers(0, 100))
def test_partner_price_is_never_more_nor_negative(price, discount):
    paid = rules.partner_price(price, discount)
    assert 0 <= paid <= price
    assert paid == price if discount == 0 else True
    assert paid == 0 if discount == 100 else True


# -- the plan solver --------------------------------------------------------------------------


def _problem(data) -> planner.Problem:
    needs, sessions, budget, free = data
    return planner.Problem.build(needs, sessions, free, budget)


@st.composite
def problems(draw):
    competencies = ["A", "B", "C"]
    nips = [f"N{k}" for k in range(draw(st.integers(1, 8)))]
    needs = []
    for k, nip in enumerate(nips):
        for c in draw(st.sets(st.sampled_from(competencies), max_size=3)):
            kind = draw(st.sampled_from(rules.KINDS))
            needs.append(
                planner.PlanNeed(f"{k}{c}", nip, kind, c, planner.need_weight(kind, False))
            )
    sessions = []
    for j in range(draw(st.integers(0, 6))):
        start = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 20)))
        sessions.append(
            planner.PlanSession(
                f"S{j}",
                draw(st.sampled_from(competencies)),
                start,
                start + timedelta(days=draw(st.integers(0, 5))),
                draw(st.integers(0, 3)),
                draw(st.integers(0, 5)) * 1000,
                draw(st.sampled_from([None, "P"])),
            )
        )
    return needs, sessions, draw(st.integers(0, 20)) * 1000, {"P": draw(st.integers(0, 2))}


def _check_feasible(problem: planner.Problem, solution: planner.Solution) -> None:
    sessions = {s.session_id: s for s in problem.sessions}
    seats: dict[str, int] = defaultdict(int)
    booked: dict[str, list[planner.PlanSession]] = defaultdict(list)
    free = 0
    paying = 0
    for group in problem.groups:
        chosen = {
            c.session_id for c in solution.choices if c.need_id in {n.need_id for n in group.needs}
        }
        assert len(chosen) == 1  # one seat covers all the needs of a group, or none
        sid = chosen.pop()
        if sid is None:
            continue
        s = sessions[sid]
        assert s.competency == group.competency
        seats[sid] += 1
        assert not any(
            rules.overlaps(s.starts_on, s.ends_on, b.starts_on, b.ends_on)
            for b in booked[group.nip]
        )
        booked[group.nip].append(s)
    for sid, used in seats.items():
        assert used <= sessions[sid].seats
    for c in solution.covered:
        if c.free_seat and c.cost == 0 and sessions[c.session_id].partnership_id:
            free += 1
        paying += c.cost
    assert solution.cost == paying <= problem.budget
    assert free <= sum(problem.free_seats.values()) + len(solution.covered)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_milp_is_feasible_and_never_worse_than_greedy(data):
    problem = _problem(data)
    best = milp.solve(problem, time_limit=5)
    base = planner.greedy(problem)
    _check_feasible(problem, best)
    _check_feasible(problem, base)
    assert best.weight >= base.weight - 1e-6
    if best.lp_bound is not None:
        assert best.weight <= best.lp_bound + 1e-6


def test_latsar_outranks_any_number_of_competency_needs_for_one_seat():
    needs = [planner.PlanNeed("L", "N0", "LATSAR", "A", planner.need_weight("LATSAR", False))]
    needs += [
        planner.PlanNeed(
            f"C{k}", f"N{k}", "COMPETENCY", "A", planner.need_weight("COMPETENCY", True)
        )
        for k in range(1, 20)
    ]
    session = planner.PlanSession("S", "A", date(2025, 3, 1), date(2025, 3, 5), 1, 100)
    for solver in (milp.solve, planner.greedy):
        solution = solver(planner.Problem.build(needs, [session], {}, 100))
        assert [c.need_id for c in solution.covered] == ["L"]
        reasons = {c.reason for c in solution.choices if c.session_id is None}
        assert reasons == {"NO_SEAT"}


def test_uncovered_needs_say_why():
    needs = [
        planner.PlanNeed("X", "N1", "COMPETENCY", "none", 30),
        planner.PlanNeed("Y", "N2", "COMPETENCY", "A", 30),
        planner.PlanNeed("Z", "N3", "COMPETENCY", "B", 30),
        planner.PlanNeed("W", "N4", "COMPETENCY", "A", 30),
    ]
    sessions = [
        planner.PlanSession("S", "A", date(2025, 3, 1), date(2025, 3, 5), 5, 100),
        planner.PlanSession("T", "B", date(2025, 3, 1), date(2025, 3, 5), 0, 100),  # full
    ]
    blocked = {"N4": [(date(2025, 3, 4), date(2025, 3, 4))]}
    problem = planner.Problem.build(needs, sessions, {}, 50, blocked)
    for solver in (milp.solve, planner.greedy):
        assert {c.need_id: c.reason for c in solver(problem).choices} == {
            "X": "NO_SESSION",
            "Y": "BUDGET",
            "Z": "NO_SEAT",
            "W": "DATE_CLASH",
        }


def test_a_free_partner_seat_stretches_the_budget():
    needs = [planner.PlanNeed(f"C{k}", f"N{k}", "COMPETENCY", "A", 30) for k in range(3)]
    session = planner.PlanSession("S", "A", date(2025, 3, 1), date(2025, 3, 5), 5, 100, "P")
    for solver in (milp.solve, planner.greedy):
        solution = solver(planner.Problem.build(needs, [session], {"P": 2}, 100))
        assert len(solution.covered) == 3
        assert solution.cost == 100
        assert sorted(c.free_seat for c in solution.covered) == [False, True, True]
