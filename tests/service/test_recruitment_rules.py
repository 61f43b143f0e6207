"""The roster's pure rules: NIP parts (BKN), supervision, and status changes (PP 11/2017)."""

from __future__ import annotations

from datetime import date

import pytest

from services.recruitment import rules

NIP = "199001152015031001"  # born 1990-01-15, TMT CPNS 2015-03, male, no. 001


def test_a_record_that_agrees_with_its_nip_has_no_disagreement():
    assert (
        rules.nip_disagreements(
            NIP, birth_date=date(1990, 1, 15), gender="M", tmt_cpns=date(2015, 3, 1)
        )
        == {}
    )


def test_the_tmt_day_is_not_in_the_nip():
    assert (
        rules.nip_disagreements(
            NIP, birth_date=date(1990, 1, 15), gender="M", tmt_cpns=date(2015, 3, 31)
        )
        == {}
    )


def test_each_disagreeing_part_is_named_with_what_the_nip_says():
    problems = rules.nip_disagreements(
        NIP, birth_date=date(1990, 5, 1), gender="F", tmt_cpns=date(2016, 3, 1)
    )
    assert problems == {
        "birth_date": "The NIP's digits 1-8 say the birth date is 1990-01-15.",
        "gender": "The NIP's digit 15 says the gender is M.",
        "tmt_cpns": "The NIP's digits 9-14 say TMT CPNS is in 2015-03.",
    }


def test_a_womans_nip():
    nip = "199204302019022003"
    assert (
        rules.nip_disagreements(
            nip, birth_date=date(1992, 4, 30), gender="F", tmt_cpns=date(2019, 2, 1)
        )
        == {}
    )
    assert "gender" in rules.nip_disagreements(
        nip, birth_date=date(1992, 4, 30), gender="M", tmt_cpns=date(2019, 2, 1)
    )


def test_nobody_supervises_themself():
    assert rules.supervisor_problem(NIP, NIP) is not None
    assert rules.supervisor_problem(NIP, "198001012005011002") is None
    assert rules.supervisor_problem(NIP, None) is None


def test_a_chain_of_supervisors_must_not_come_back_to_the_employee():
    above = ["198001012005011002", "197001012000011003"]
    assert rules.supervision_loop_problem(NIP, above) is None
    assert rules.supervision_loop_problem(NIP, [*above, NIP]) is not None


def test_an_endless_chain_is_refused():
    chain = [f"19800101200501100{i % 10}" for i in range(rules.MAX_SUPERVISION_DEPTH + 1)]
    assert rules.supervision_loop_problem(NIP, chain) is not None


@pytest.mark.parametrize(
    ("tmt", "ends"),
    [(date(2024, 3, 1), date(2025, 3, 1)), (date(2024, 2, 29), date(2025, 3, 1))],
)
def test_probation_lasts_one_year_from_tmt_cpns(tmt, ends):
    assert rules.probation_ends(tmt) == ends


@pytest.mark.parametrize(
    ("old", "new", "today", "allowed"),
    [
        ("CPNS", "PNS", date(2025, 3, 1), True),
        ("CPNS", "PNS", date(2025, 2, 28), False),
        ("PNS", "PNS", date(2025, 3, 1), True),
        ("PNS", "CPNS", date(2030, 1, 1), False),
        ("PPPK", "PNS", date(2030, 1, 1), False),
        ("CPNS", "PPPK", date(2030, 1, 1), False),
        ("PNS", "PPPK", date(2030, 1, 1), False),
    ],
)
def test_status_changes(old, new, today, allowed):
    problem = rules.status_change_problem(old, new, tmt_cpns=date(2024, 3, 1), today=today)
    assert (problem is None) is allowed, problem
