"""NIP and NIK: the identifiers of civil servants and citizens (pure rules, no I/O).

NIP (Nomor Induk Pegawai, BKN): 18 digits = birth date YYYYMMDD + TMT CPNS YYYYMM + gender
(1 male, 2 female) + a 3-digit sequence. NIK (Nomor Induk Kependudukan, Dukcapil): 16 digits =
region code (6) + birth date DDMMYY, with 40 added to the day for women (6) + sequence (4).
A NIK is personal data: it is masked wherever it would be shown.
"""

from __future__ import annotations

from datetime import date

NIP_LENGTH = 18
NIK_LENGTH = 16
MIN_AGE_AT_TMT = 18  # a CPNS is at least 18 years old when appointed


def nip_problem(nip: object) -> str | None:
    """Why `nip` is not a valid NIP, or None when it is."""
    if not isinstance(nip, str) or len(nip) != NIP_LENGTH or not nip.isascii() or not nip.isdigit():
        return "NIP must be 18 digits."
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return "NIP digits 1-8 must be a real birth date (YYYYMMDD)."
    tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= tmt_month <= 12:
        return "NIP digits 9-14 must be the TMT CPNS as YYYYMM."
    if (tmt_year, tmt_month) < (birth.year + MIN_AGE_AT_TMT, birth.month):
        return "NIP's TMT CPNS (digits 9-14) must be at least 18 years after the birth date."
    if nip[14] not in "12":
        return "NIP digit 15 is the gender: 1 (male) or 2 (female)."
    if nip[15:] == "000":
        return "NIP digits 16-18 are a sequence from 001."
    return None


def is_valid_nip(nip: object) -> bool:
    """True when `nip` is a valid NIP."""
    return nip_problem(nip) is None


def nip_parts(nip: str) -> dict[str, object]:
    """Birth date, TMT CPNS (year, month), gender and sequence of a valid NIP."""
    problem = nip_problem(nip)
    if problem:
        raise ValueError(problem)
    return {
        "birth_date": date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8])),
        "tmt_cpns": (int(nip[8:12]), int(nip[12:14])),
        "gender": "M" if nip[14] == "1" else "F",
        "sequence": int(nip[15:]),
    }


def make_nip(birth_date: date, tmt_year: int, tmt_month: int, gender: str, sequence: int) -> str:
    """The NIP for these parts (raises ValueError when they cannot form one)."""
    if gender not in ("M", "F"):
        raise ValueError("gender must be M or F")
    if not 1 <= sequence <= 999:
        raise ValueError("sequence must be 1-999")
    nip = (
        f"{birth_date:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{1 if gender == 'M' else 2}{sequence:03d}"
    )
    problem = nip_problem(nip)
    if problem:
        raise ValueError(problem)
    return nip


def nik_problem(nik: object) -> str | None:
    """Why `nik` is not a valid NIK, or None when it is."""
    if not isinstance(nik, str) or len(nik) != NIK_LENGTH or not nik.isascii() or not nik.isdigit():
        return "NIK must be 16 digits."
    day, month = int(nik[6:8]), int(nik[8:10])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return "NIK digits 7-8 must be the birth day (plus 40 for women)."
    if not 1 <= month <= 12:
        return "NIK digits 9-10 must be the birth month."
    if nik[12:] == "0000":
        return "NIK digits 13-16 are a sequence from 0001."
    return None


def mask_nik(nik: str) -> str:
    """A NIK with all but its region code hidden, safe to show."""
    return nik[:4] + "*" * (len(nik) - 4) if nik else nik
