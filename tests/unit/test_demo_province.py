"""The demo's generated province obeys the platform's own rules (checked with those rules)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.identifiers import nik_problem, nip_problem
from services.appraisal.rules import UNIT_RATINGS, broken_rules, distribution, predikat
from services.recruitment.rules import (
    nip_disagreements,
    status_plausibility_problem,
    supervision_tree,
)
from services.recruitment.selection.applications import nik_disagreements
from services.recruitment.selection.rules import gpa_problem, skb_problem, skd_problem
from sofifi.demo.accounts import accounts, password
from sofifi.demo.province import MIN_SIZE, generate, spread, units_for
from sofifi.demo.recruitment import FORMATIONS, applicants, roster_csv

YEAR = 2025
TODAY = date(YEAR + 1, 1, 15)  # the demo runs in the year after the appraised one


@pytest.mark.parametrize("size", [MIN_SIZE, 41, 300, 1200])
def test_the_roster_is_valid_for_recruitment(size: int):
    province = generate(7, size, YEAR)
    assert len(province.people) == size == len(province.nips)
    assert len({p.name for p in province.people}) == size
    for p in province.people:
        assert nip_problem(p.nip) is None
        assert not nip_disagreements(
            p.nip, birth_date=p.birth_date, gender=p.gender, tmt_cpns=p.tmt_cpns
        )
        assert status_plausibility_problem(p.status, tmt_cpns=p.tmt_cpns, today=TODAY) is None
    depth, loops = supervision_tree({p.nip: p.supervisor_nip for p in province.people})
    assert not loops and min(depth.values()) == 0
    tops = [p for p in province.people if p.supervisor_nip is None]
    assert [p.position for p in tops] == ["Sekretaris Daerah"]
    order = {p.nip: i for i, p in enumerate(province.people)}  # supervisors come first
    assert all(order[p.supervisor_nip] < order[p.nip] for p in province.people if p.supervisor_nip)
    assert {p.unit for p in province.people} == {code for code, _ in units_for(size)}
    assert set(province.heads) == {code for code, _ in province.units}
    assert roster_csv(province.people).count("\n") == size + 1


def test_the_same_seed_gives_the_same_province_and_another_seed_another():
    assert generate(3, 120, YEAR) == generate(3, 120, YEAR)
    assert generate(3, 120, YEAR).nips.isdisjoint(generate(4, 120, YEAR).nips)


@pytest.mark.parametrize("size", [MIN_SIZE, 41, 300, 1200])
def test_each_unit_is_rated_within_its_distribution_rule(size: int):
    province = generate(11, size, YEAR)
    assert set(province.ratings) == {p.nip for p in province.people if p.supervisor_nip}
    assert len(set(province.unit_ratings.values())) >= 2
    for unit, _ in province.units:
        staff = province.staff(unit)
        counts = distribution(province.ratings[p.nip].predikat for p in staff)
        assert not broken_rules(province.unit_ratings[unit], counts), (unit, counts)
    for rating in province.ratings.values():
        body = rating.body()
        assert predikat(body["results_rating"], body["behaviour_rating"]) == rating.predikat
        below = [value for value, given in body["behaviour_values"].items() if given == "DI_BAWAH"]
        assert below == ([rating.weak_value] if rating.weak_value else [])


@given(rating=st.sampled_from(UNIT_RATINGS[:3]), n=st.integers(1, 400))
def test_spread_never_breaks_the_rule_of_its_unit_rating(rating: str, n: int):
    predikats = spread(rating, n)
    assert len(predikats) == n
    assert not broken_rules(rating, distribution(predikats))


@pytest.mark.parametrize("index", range(len(FORMATIONS)))
def test_applicants_pass_registration_and_score_checks(index: int):
    people = applicants(7, 300, YEAR + 1, index)
    assert len({p.registration_number for p in people}) == len(people) == 20
    for p in people:
        assert nik_problem(p.nik) is None
        assert not nik_disagreements(p.nik, birth_date=p.birth_date, gender=p.gender)
        assert gpa_problem(p.gpa) is None and skb_problem(p.skb) is None
        twk, tiu, tkp = p.skd
        assert skd_problem("twk", twk) is skd_problem("tiu", tiu) is skd_problem("tkp", tkp) is None
    assert any(not p.eligible for p in people) and any(p.eligible for p in people)


def test_accounts_cover_every_role_and_passwords_are_keyed():
    province = generate(1, 300, YEAR)
    made = accounts(province)
    assert {role for a in made for role in a.roles} == {
        "admin", "recruiter", "supervisor", "employee", "committee", "officer",
    }  # fmt: skip
    assert len({a.username for a in made}) == len(made)
    for account in made:
        if account.nip:
            assert province.person(account.nip).unit == account.unit
    people = {a.nip: province.ratings[a.nip] for a in made if a.roles == ("employee",)}
    assert any(r.predikat == "SANGAT_BAIK" for r in people.values())
    assert any(r.needs() for r in people.values())
    assert password(b"key", 1, "demo.admin") == password(b"key", 1, "demo.admin")
    assert password(b"key", 1, "demo.admin") != password(b"other", 1, "demo.admin")
    assert len(password(b"key", 1, "demo.admin")) == 19
