"""Sofifi Berprestasi eligibility rules (PermenPAN-RB 6/2022, PP 94/2021, PP 11/2017)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import validate_event
from contracts.awards import ELIGIBILITY_DETERMINED_V1
from contracts.base import PREDIKAT
from services.awards import rules
from services.awards.rules import Complaint, JpRecord, Sanction

YEAR = 2024
OTHER_PREDIKAT = [p for p in PREDIKAT["enum"] if p != "SANGAT_BAIK"]
CLEAN = [
    "PREDIKAT_SANGAT_BAIK",
    "NO_SUBSTANTIATED_COMPLAINT",
    "NO_DISCIPLINARY_SANCTION",
    "JP_NOT_ASSESSED",
]


def codes(decision):
    return [reason.code for reason in decision.reasons]


# -- the predikat ---------------------------------------------------------------------------


def test_sangat_baik_and_nothing_else_is_eligible():
    decision = rules.sofifi_berprestasi(YEAR, "SANGAT_BAIK")
    assert decision.eligible is True
    assert codes(decision) == CLEAN


@pytest.mark.parametrize("predikat", OTHER_PREDIKAT)
def test_any_other_predikat_is_not_eligible(predikat):
    decision = rules.sofifi_berprestasi(YEAR, predikat)
    assert decision.eligible is False
    assert codes(decision)[0] == "PREDIKAT_NOT_SANGAT_BAIK"
    assert predikat in decision.reasons[0].message


# -- complaints: the period is the appraisal year -------------------------------------------


@pytest.mark.parametrize(
    ("incident", "substantiated", "counts"),
    [
        (date(2024, 1, 1), date(2024, 1, 3), True),  # first day of the year
        (date(2024, 12, 31), date(2025, 2, 1), True),  # last day; substantiated the next year
        (date(2023, 12, 31), date(2024, 1, 5), False),  # the conduct was in 2023
        (date(2025, 1, 1), date(2025, 1, 2), False),
        (None, date(2024, 1, 1), True),  # no incident date: the day it was substantiated
        (None, date(2024, 12, 31), True),
        (None, date(2023, 12, 31), False),
        (None, date(2025, 1, 1), False),
    ],
)
def test_a_complaint_counts_in_the_year_of_its_incident(incident, substantiated, counts):
    complaint = Complaint(substantiated_on=substantiated, incident_date=incident)
    assert rules.complaint_in_period(complaint, YEAR) is counts
    decision = rules.sofifi_berprestasi(YEAR, "SANGAT_BAIK", complaints=[complaint])
    assert decision.eligible is not counts
    assert ("SUBSTANTIATED_COMPLAINT" in codes(decision)) is counts


def test_each_complaint_in_the_year_is_a_reason_in_date_order():
    complaints = [
        Complaint(date(2024, 9, 1), date(2024, 8, 1)),
        Complaint(date(2024, 3, 1)),
        Complaint(date(2025, 1, 9), date(2023, 6, 1)),
    ]
    decision = rules.sofifi_berprestasi(YEAR, "SANGAT_BAIK", complaints=complaints)
    complaint_reasons = [r for r in decision.reasons if r.code == "SUBSTANTIATED_COMPLAINT"]
    assert [r.message for r in complaint_reasons] == [
        "A public complaint (no incident date given) was substantiated on 2024-03-01.",
        "A public complaint about an incident on 2024-08-01 was substantiated on 2024-09-01.",
    ]


# -- sanctions: in effect on any day of the year --------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "counts"),
    [
        (date(2023, 10, 1), date(2024, 1, 1), True),  # ends on the first day
        (date(2024, 12, 31), date(2025, 6, 30), True),  # starts on the last day
        (date(2024, 3, 1), date(2024, 3, 31), True),
        (date(2023, 1, 1), date(2025, 12, 31), True),  # spans the whole year
        (date(2022, 1, 1), None, True),  # open-ended
        (date(2024, 12, 31), None, True),
        (date(2023, 1, 1), date(2023, 12, 31), False),
        (date(2025, 1, 1), date(2025, 6, 30), False),
        (date(2025, 1, 1), None, False),
    ],
)
def test_a_sanction_counts_when_in_effect_in_the_year(start, end, counts):
    sanction = Sanction("RINGAN", start, end)
    assert rules.sanction_in_period(sanction, YEAR) is counts
    decision = rules.sofifi_berprestasi(YEAR, "SANGAT_BAIK", sanctions=[sanction])
    assert decision.eligible is not counts
    assert ("DISCIPLINARY_SANCTION" in codes(decision)) is counts


@pytest.mark.parametrize("level", ["RINGAN", "SEDANG", "BERAT"])
def test_every_level_of_sanction_withholds_eligibility(level):
    sanction = Sanction(level, date(2024, 7, 1), date(2024, 12, 31))
    decision = rules.sofifi_berprestasi(YEAR, "SANGAT_BAIK", sanctions=[sanction])
    assert decision.eligible is False
    [reason] = [r for r in decision.reasons if r.code == "DISCIPLINARY_SANCTION"]
    assert reason.message == (
        f"A disciplinary sanction ({level}, PP 94/2021) was in effect"
        " from 2024-07-01 to 2024-12-31."
    )


def test_the_years_a_sanction_touches():
    assert rules.sanction_years(
        Sanction("SEDANG", date(2023, 7, 1), date(2024, 2, 1)), [2022, 2023, 2024, 2025]
    ) == [2023, 2024]
    assert rules.sanction_years(Sanction("BERAT", date(2023, 7, 1)), [2025, 2022, 2023]) == [
        2023,
        2025,
    ]


# -- JP: a gate once the year's ledger is open ----------------------------------------------


@pytest.mark.parametrize(
    ("jp", "code", "eligible"),
    [
        (JpRecord(ledger_open=False), "JP_NOT_ASSESSED", True),
        (JpRecord(ledger_open=False, total=3), "JP_NOT_ASSESSED", True),
        (JpRecord(ledger_open=True, total=20), "JP_COMPLIANT", True),  # exactly the minimum
        (JpRecord(ledger_open=True, total=124.5), "JP_COMPLIANT", True),
        (JpRecord(ledger_open=True, total=19.5), "JP_BELOW_MINIMUM", False),
        (JpRecord(ledger_open=True, total=None), "JP_BELOW_MINIMUM", False),  # none taken
        (JpRecord(ledger_open=True, total=0), "JP_BELOW_MINIMUM", False),
    ],
)
def test_jp_compliance(jp, code, eligible):
    decision = rules.sofifi_berprestasi(YEAR, "SANGAT_BAIK", jp=jp)
    assert codes(decision)[-1] == code
    assert decision.eligible is eligible


# -- properties -----------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))
complaints = st.builds(Complaint, substantiated_on=days, incident_date=st.none() | days)
sanctions = st.builds(
    lambda level, start, length: Sanction(
        level, start, None if length is None else start + timedelta(days=length)
    ),
    st.sampled_from(["RINGAN", "SEDANG", "BERAT"]),
    days,
    st.none() | st.integers(min_value=0, max_value=800),
)
jp_records = st.builds(
    JpRecord,
    ledger_open=st.booleans(),
    total=st.none() | st.floats(min_value=0, max_value=500, allow_nan=False),
)
facts = st.fixed_dictionaries(
    {
        "year": st.integers(min_value=2021, max_value=2027),
        "predikat": st.sampled_from(PREDIKAT["enum"]),
        "complaints": st.lists(complaints, max_size=4),
        "sanctions": st.lists(sanctions, max_size=4),
        "jp": jp_records,
    }
)


@given(facts)
def test_eligible_exactly_when_no_criterion_fails(facts):
    decision = rules.sofifi_berprestasi(**facts)
    year = facts["year"]
    jp = facts["jp"]
    expected = (
        facts["predikat"] == "SANGAT_BAIK"
        and not any(rules.complaint_in_period(c, year) for c in facts["complaints"])
        and not any(rules.sanction_in_period(s, year) for s in facts["sanctions"])
        and (not jp.ledger_open or (jp.total or 0) >= rules.JP_MINIMUM)
    )
    assert decision.eligible is expected
    assert decision.eligible is all(code in rules.POSITIVE for code in codes(decision))


@given(facts, st.one_of(complaints, sanctions))
def test_a_negative_fact_in_the_year_is_never_eligible(facts, fact):
    # Move the fact into the year: any complaint or sanction there withholds eligibility.
    year = facts["year"]
    if isinstance(fact, Complaint):
        fact = Complaint(date(year, 6, 30), fact.incident_date and date(year, 1, 1))
        facts = {**facts, "complaints": [*facts["complaints"], fact]}
    else:
        fact = Sanction(fact.level, date(year, 12, 31), None)
        facts = {**facts, "sanctions": [*facts["sanctions"], fact]}
    assert rules.sofifi_berprestasi(**facts).eligible is False


@given(facts)
def test_adding_a_fact_never_makes_an_employee_eligible(facts):
    before = rules.sofifi_berprestasi(**facts)
    year = facts["year"]
    more = {**facts, "complaints": [*facts["complaints"], Complaint(date(year, 3, 3))]}
    assert not (rules.sofifi_berprestasi(**more).eligible and not before.eligible)


@given(facts)
def test_the_decision_fits_the_contract_and_does_not_depend_on_order(facts):
    decision = rules.sofifi_berprestasi(**facts)
    shuffled = {
        **facts,
        "complaints": list(reversed(facts["complaints"])),
        "sanctions": list(reversed(facts["sanctions"])),
    }
    assert rules.sofifi_berprestasi(**shuffled) == decision
    for reason in decision.reasons:
        assert re.fullmatch(r"[A-Z_]+", reason.code)
        assert len(reason.message) <= 300
    envelope = ELIGIBILITY_DETERMINED_V1.example_envelope()
    envelope["data"] |= {
        "year": facts["year"],
        "eligible": decision.eligible,
        "reasons": decision.reasons_as_dicts(),
    }
    validate_event(envelope)
