"""Training needs from appraisals and appointments (PermenPAN-RB 6/2022, PP 11/2017 / 17/2020)."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import validate_event
from contracts.appraisal import BERAKHLAK_VALUES
from contracts.base import COMPETENCY_TYPE, PREDIKAT, RATING
from contracts.training import NEED_IDENTIFIED_V1
from services.training import rules

NIP = "199001152015031001"
APPRAISER = "197806152003122002"
ALL_PREDIKAT = PREDIKAT["enum"]
RATINGS = RATING["enum"]


def appraisal(predikat="BAIK", values=None, *, period="ANNUAL", year=2024, **overrides):
    """Data of a finalized appraisal; `values` overrides some BerAKHLAK ratings."""
    data = {
        "appraisal_id": "APR-2024-000123",
        "nip": NIP,
        "unit": "BKD",
        "appraiser_nip": APPRAISER,
        "year": year,
        "period": period,
        "results_rating": "SESUAI",
        "behaviour_rating": "SESUAI",
        "behaviour_values": {value: "SESUAI" for value in BERAKHLAK_VALUES} | (values or {}),
        "predikat": predikat,
        "finalized_at": "2025-01-20T02:15:00+00:00",
    }
    return data | overrides


def employee(status="CPNS", tmt="2025-03-01", **overrides):
    return {
        "nip": "199804212025032001",
        "unit": "DINKES",
        "status": status,
        "tmt_cpns": tmt,
        "supervisor_nip": APPRAISER,
    } | overrides


# -- the mapping ------------------------------------------------------------------------------


def test_the_mapping_is_total_over_the_seven_berakhlak_values():
    assert set(rules.COMPETENCY_OF_VALUE) == set(BERAKHLAK_VALUES)
    assert len(BERAKHLAK_VALUES) == 7


def test_every_mapped_competency_is_named_typed_and_distinct():
    names = [name for name, _type in rules.COMPETENCY_OF_VALUE.values()]
    assert len(set(names)) == 7  # one competency need per value, never merged
    assert rules.DEVELOPMENT_COMPETENCY[0] not in names
    for name, kind in [*rules.COMPETENCY_OF_VALUE.values(), rules.DEVELOPMENT_COMPETENCY]:
        assert 1 <= len(name) <= 200
        assert kind in COMPETENCY_TYPE["enum"]
    assert set(rules.COMPETENCY_TYPES) == set(COMPETENCY_TYPE["enum"])


def test_the_readme_table_is_the_mapping():
    readme = (Path(rules.__file__).parent / "README.md").read_text()
    for value, (competency, competency_type) in rules.COMPETENCY_OF_VALUE.items():
        assert f"| `{value}` | {competency} | {competency_type} |" in readme


def test_the_mapping_as_written_in_the_readme():
    assert rules.COMPETENCY_OF_VALUE == {
        "berorientasi_pelayanan": ("Pelayanan publik", "MANAJERIAL"),
        "akuntabel": ("Akuntabilitas dan integritas", "MANAJERIAL"),
        "kompeten": ("Kompetensi teknis bidang tugas", "TEKNIS"),
        "harmonis": ("Perekat bangsa", "SOSIAL_KULTURAL"),
        "loyal": ("Wawasan kebangsaan dan etika ASN", "SOSIAL_KULTURAL"),
        "adaptif": ("Mengelola perubahan", "MANAJERIAL"),
        "kolaboratif": ("Kerja sama", "MANAJERIAL"),
    }


# -- predikat ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predikat", "development"),
    [
        ("SANGAT_BAIK", False),
        ("BAIK", False),
        ("BUTUH_PERBAIKAN", True),
        ("KURANG", True),
        ("SANGAT_KURANG", True),
    ],
)
def test_every_predikat(predikat, development):
    needs = rules.needs_from_appraisal(appraisal(predikat))
    if not development:
        assert needs == []
        return
    [need] = needs
    assert need == rules.Need(
        nip=NIP,
        unit="BKD",
        year=2025,
        kind="DEVELOPMENT",
        competency="Pengembangan kinerja",
        competency_type="MANAJERIAL",
        source="APPRAISAL",
        source_ref="APR-2024-000123",
        reason=(
            f"Predikat kinerja {predikat} tahun 2024 (hasil kerja SESUAI, perilaku kerja SESUAI)"
        ),
        supervisor_nip=APPRAISER,
    )


def test_all_predikat_are_covered():
    assert set(ALL_PREDIKAT) == {"SANGAT_BAIK", "BAIK"} | rules.DEVELOPMENT_PREDIKAT


# -- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", BERAKHLAK_VALUES)
def test_every_value_rated_di_bawah_is_a_competency_need(value):
    [need] = rules.needs_from_appraisal(appraisal("BAIK", {value: "DI_BAWAH"}))
    competency, competency_type = rules.COMPETENCY_OF_VALUE[value]
    assert (need.kind, need.competency, need.competency_type) == (
        "COMPETENCY",
        competency,
        competency_type,
    )
    assert (need.source, need.source_ref, need.year) == ("APPRAISAL", "APR-2024-000123", 2025)
    assert value in need.reason


@pytest.mark.parametrize("rating", ["SESUAI", "DI_ATAS"])
@pytest.mark.parametrize("value", BERAKHLAK_VALUES)
def test_a_value_at_or_above_expectations_is_no_need(value, rating):
    assert rules.needs_from_appraisal(appraisal("BAIK", {value: rating})) == []


def test_development_comes_first_then_values_in_berakhlak_order():
    below = {value: "DI_BAWAH" for value in ("kolaboratif", "akuntabel")}
    needs = rules.needs_from_appraisal(appraisal("KURANG", below))
    assert [n.competency for n in needs] == [
        "Pengembangan kinerja",
        "Akuntabilitas dan integritas",
        "Kerja sama",
    ]


@pytest.mark.parametrize("period", ["Q1", "Q2", "Q3", "Q4"])
def test_quarterly_reviews_identify_no_needs(period):
    every_value_below = {value: "DI_BAWAH" for value in BERAKHLAK_VALUES}
    data = appraisal("SANGAT_KURANG", every_value_below, period=period)
    assert rules.needs_from_appraisal(data) == []


@given(
    predikat=st.sampled_from(ALL_PREDIKAT),
    ratings=st.fixed_dictionaries({value: st.sampled_from(RATINGS) for value in BERAKHLAK_VALUES}),
)
def test_number_of_needs_is_development_plus_values_below(predikat, ratings):
    needs = rules.needs_from_appraisal(appraisal(predikat, ratings))
    below = sum(1 for rating in ratings.values() if rating == "DI_BAWAH")
    assert len(needs) == int(predikat in rules.DEVELOPMENT_PREDIKAT) + below
    # each need is distinct on the facts that make it unique, and so is its id
    keys = {(n.source, n.source_ref, n.kind, n.competency) for n in needs}
    assert len(keys) == len({n.need_id for n in needs}) == len(needs)
    for need in needs:
        envelope = NEED_IDENTIFIED_V1.example_envelope() | {"data": rules.event_data(need)}
        validate_event(envelope)


# -- Latsar -----------------------------------------------------------------------------------


def test_a_cpns_owes_latsar_in_the_year_of_tmt_cpns():
    [need] = rules.needs_from_appointment(employee())
    assert need == rules.Need(
        nip="199804212025032001",
        unit="DINKES",
        year=2025,
        kind="LATSAR",
        competency="Pelatihan Dasar CPNS (Latsar)",
        competency_type="SOSIAL_KULTURAL",
        source="APPOINTMENT",
        source_ref="199804212025032001",
        reason=(
            "CPNS dengan TMT 2025-03-01: Latsar wajib selesai dalam masa percobaan, "
            "paling lambat 2026-02-28"
        ),
        supervisor_nip=APPRAISER,
    )


@pytest.mark.parametrize("status", ["PNS", "PPPK"])
def test_a_pns_or_pppk_owes_no_latsar(status):
    assert rules.needs_from_appointment(employee(status)) == []


def test_probation_is_one_year_even_from_29_february():
    assert rules.probation_ends(date(2024, 2, 29)) == date(2025, 3, 1)
    assert rules.probation_ends(date(2025, 12, 1)) == date(2026, 12, 1)


# -- need ids ---------------------------------------------------------------------------------


def test_need_id_is_stable_and_follows_the_facts():
    first = rules.needs_from_appraisal(appraisal("KURANG"))[0]
    again = rules.needs_from_appraisal(appraisal("SANGAT_KURANG", unit="DISHUB"))[0]
    other = rules.needs_from_appraisal(appraisal("KURANG", appraisal_id="APR-2024-000124"))[0]
    assert first.need_id == again.need_id  # same appraisal, same kind and competency
    assert first.need_id != other.need_id
    assert first.need_id.startswith("NEED-2025-") and len(first.need_id) == 22


def test_need_ids_of_different_kinds_never_collide():
    ids = {
        rules.need_id(2025, source, "REF", kind, competency)
        for source, kind, competency in itertools.product(
            rules.SOURCES, rules.KINDS, ["Kerja sama", "Perekat bangsa"]
        )
    }
    assert len(ids) == len(rules.SOURCES) * len(rules.KINDS) * 2
