"""NIP and NIK rules (contracts.identifiers)."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.identifiers import (
    is_valid_nip,
    make_nip,
    mask_nik,
    nik_problem,
    nip_parts,
    nip_problem,
)


@st.composite
def nip_parts_strategy(draw):
    """Parts that make a real NIP: TMT CPNS at least 18 years after the birth date."""
    birth = draw(st.dates(min_value=date(1940, 1, 1), max_value=date(2008, 12, 31)))
    years_after = draw(st.integers(min_value=18, max_value=45))
    first_month = birth.month if years_after == 18 else 1
    tmt_month = draw(st.integers(min_value=first_month, max_value=12))
    gender = draw(st.sampled_from("MF"))
    sequence = draw(st.integers(min_value=1, max_value=999))
    return birth, birth.year + years_after, tmt_month, gender, sequence


@given(nip_parts_strategy())
def test_make_nip_and_nip_parts_round_trip(parts):
    birth, tmt_year, tmt_month, gender, sequence = parts
    nip = make_nip(birth, tmt_year, tmt_month, gender, sequence)
    assert len(nip) == 18 and nip.isdigit()
    assert is_valid_nip(nip)
    assert nip_parts(nip) == {
        "birth_date": birth,
        "tmt_cpns": (tmt_year, tmt_month),
        "gender": gender,
        "sequence": sequence,
    }


def _valid_by_decomposition(nip: str) -> bool:
    """An independent reading of the NIP rule, part by part."""
    year, month, day = int(nip[0:4]), int(nip[4:6]), int(nip[6:8])
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= tmt_month <= 12:
        return False
    if tmt_year * 12 + tmt_month < (year + 18) * 12 + month:
        return False
    return nip[14] in "12" and nip[15:18] != "000"


@st.composite
def near_nips(draw):
    """18 digits built part by part around the rules' edges: valid NIPs and near misses."""
    birth = draw(st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 12, 31)))
    tmt_year = birth.year + draw(st.integers(min_value=16, max_value=20))
    tmt_month = draw(st.sampled_from(range(14)))
    gender = draw(st.sampled_from("0123"))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return f"{birth:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{gender}{sequence:03d}"


EIGHTEEN_DIGITS = st.one_of(st.text(alphabet="0123456789", min_size=18, max_size=18), near_nips())


@given(EIGHTEEN_DIGITS)
def test_validity_of_any_18_digits_agrees_with_a_direct_decomposition(nip):
    assert is_valid_nip(nip) == _valid_by_decomposition(nip)
    assert (nip_problem(nip) is None) == is_valid_nip(nip)


@pytest.mark.parametrize(
    ("nip", "digits"),
    [
        ("199802302025032001", "1-8"),  # 30 February
        ("200102292025032001", "1-8"),  # 29 February of a common year
        ("199813012025032001", "1-8"),  # birth month 13
        ("199800012025032001", "1-8"),  # birth month 00
        ("199804002025032001", "1-8"),  # day 00
        ("199804212025132001", "9-14"),  # TMT month 13
        ("199804212025002001", "9-14"),  # TMT month 00
        ("199804212016032001", "9-14"),  # TMT at 17 years 11 months
        ("199804212025033001", "15"),  # gender 3
        ("199804212025030001", "15"),  # gender 0
        ("199804212025032000", "16-18"),  # sequence 000
    ],
)
def test_impossible_parts_are_refused_naming_the_digits(nip, digits):
    assert f"digit{'s' if '-' in digits else ''} {digits}" in nip_problem(nip)
    with pytest.raises(ValueError):
        nip_parts(nip)


def test_a_leap_day_and_the_month_of_the_18th_birthday_are_accepted():
    assert is_valid_nip("200002292025031001")
    assert is_valid_nip("199804212016041001")  # TMT in the month of the 18th birthday


@pytest.mark.parametrize(
    "nip",
    [
        "",
        "19980421202503200",  # 17
        "1998042120250320011",  # 19
        "19980421202503200A",
        "".join(chr(ord(d) + 0xFEE0) for d in "199804212025032001"),  # full-width
        "".join(chr(0x0660 + int(d)) for d in "199804212025032001"),  # Arabic-Indic
        " 99804212025032001",
        199804212025032001,
        None,
    ],
)
def test_anything_but_18_ascii_digits_is_refused(nip):
    assert nip_problem(nip) == "NIP must be 18 digits."


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((date(1998, 4, 21), 2025, 3, "X", 1), "gender"),
        ((date(1998, 4, 21), 2025, 3, "M", 0), "sequence"),
        ((date(1998, 4, 21), 2025, 3, "M", 1000), "sequence"),
        ((date(1998, 4, 21), 2016, 3, "M", 1), "18 years"),
        ((date(1998, 4, 21), 2025, 13, "M", 1), "TMT"),
    ],
)
def test_make_nip_refuses_parts_that_cannot_form_one(args, reason):
    with pytest.raises(ValueError, match=reason):
        make_nip(*args)


# -- NIK ----------------------------------------------------------------------------------


@st.composite
def valid_niks(draw):
    region = draw(st.integers(min_value=110101, max_value=947199))
    day = draw(st.integers(min_value=1, max_value=31))
    female = draw(st.booleans())
    month = draw(st.integers(min_value=1, max_value=12))
    year = draw(st.integers(min_value=0, max_value=99))
    sequence = draw(st.integers(min_value=1, max_value=9999))
    return f"{region:06d}{day + 40 * female:02d}{month:02d}{year:02d}{sequence:04d}"


@given(valid_niks())
def test_well_formed_niks_are_accepted(nik):
    assert nik_problem(nik) is None


@pytest.mark.parametrize(
    ("nik", "words"),
    [
        ("827101000198001", "16 digits"),  # 15
        ("82710155049800011", "16 digits"),  # 17
        ("8271015504980a01", "16 digits"),
        ("8271010004980001", "birth day"),  # day 00
        ("8271013204980001", "birth day"),  # day 32
        ("8271014004980001", "birth day"),  # 40: neither a man's day nor a woman's
        ("8271017204980001", "birth day"),  # 72
        ("8271015500980001", "birth month"),
        ("8271015513980001", "birth month"),
        ("8271015504980000", "sequence"),
    ],
)
def test_nik_rules(nik, words):
    assert words in nik_problem(nik)


def test_a_nik_that_is_not_a_string_is_refused():
    assert nik_problem(8271015504980001) == "NIK must be 16 digits."


@given(st.text(alphabet="0123456789", min_size=0, max_size=40))
def test_mask_nik_never_shows_more_than_the_region_code(value):
    masked = mask_nik(value)
    assert len(masked) == len(value)
    assert masked[:4] == value[:4]
    assert set(masked[4:]) <= {"*"}
    assert sum(ch.isdigit() for ch in masked) <= 6


@given(valid_niks())
def test_a_masked_nik_no_longer_reads_as_one(nik):
    masked = mask_nik(nik)
    assert nik_problem(masked) is not None
    assert nik[6:] not in masked
