"""Pure rules of "Sofifi Berprestasi" eligibility, each naming where it comes from (no I/O).

The programme (DESIGN.md section 4, Awards) starts from the annual predikat of PermenPAN-RB
6/2022 (SANGAT_BAIK), is lost by a substantiated public complaint (SP4N-LAPOR!, PermenPAN-RB
14/2017) or a disciplinary sanction (PP 94/2021) in the period, and counts JP compliance
(PP 11/2017 as amended by PP 17/2020: at least 20 JP of competency development a year).

The period is the appraisal year: 1 January to 31 December of `year` (the annual SKP period).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

PROGRAMME = "SOFIFI_BERPRESTASI"
REQUIRED_PREDIKAT = "SANGAT_BAIK"
# PP 11/2017 art. 203 (as amended by PP 17/2020): at least 20 JP of competency development a year.
JP_MINIMUM = 20
# Codes that allow eligibility; any other code withholds it.
POSITIVE = frozenset(
    {
        "PREDIKAT_SANGAT_BAIK",
        "NO_SUBSTANTIATED_COMPLAINT",
        "NO_DISCIPLINARY_SANCTION",
        "JP_COMPLIANT",
        "JP_NOT_ASSESSED",
    }
)


@dataclass(frozen=True)
class Reason:
    """One reason behind a decision: a stable code (^[A-Z_]+$) and a message for people."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Complaint:
    """A substantiated public complaint about the employee."""

    substantiated_on: date
    incident_date: date | None = None


@dataclass(frozen=True)
class Sanction:
    """A disciplinary sanction under PP 94/2021; `effective_until` None means open-ended."""

    level: str
    effective_from: date
    effective_until: date | None = None


@dataclass(frozen=True)
class JpRecord:
    """What the JP ledger says for the year: open (training publishes completions for the year)
    and the employee's total (None: no completion of theirs received)."""

    ledger_open: bool = False
    total: float | None = None


@dataclass(frozen=True)
class Eligibility:
    """The decision and every reason behind it, positive and negative, in a stable order."""

    eligible: bool
    reasons: tuple[Reason, ...]

    def reasons_as_dicts(self) -> list[dict[str, str]]:
        return [reason.as_dict() for reason in self.reasons]


def complaint_date(complaint: Complaint) -> date:
    """The day a complaint counts on: the incident's, else the day it was substantiated."""
    return complaint.incident_date or complaint.substantiated_on


def complaint_in_period(complaint: Complaint, year: int) -> bool:
    """True when the complaint is about conduct in `year` (see `complaint_date`)."""
    return complaint_date(complaint).year == year


def sanction_in_period(sanction: Sanction, year: int) -> bool:
    """True when the sanction was in effect on any day of `year` (the two ranges overlap)."""
    starts_in_time = sanction.effective_from <= date(year, 12, 31)
    not_over = sanction.effective_until is None or sanction.effective_until >= date(year, 1, 1)
    return starts_in_time and not_over


def sanction_years(sanction: Sanction, known_years: Iterable[int]) -> list[int]:
    """Those of `known_years` the sanction touches (an open-ended one touches every later year)."""
    return sorted(year for year in set(known_years) if sanction_in_period(sanction, year))


def sofifi_berprestasi(
    year: int,
    predikat: str,
    complaints: Iterable[Complaint] = (),
    sanctions: Iterable[Sanction] = (),
    jp: JpRecord = JpRecord(),
) -> Eligibility:
    """Eligibility for Sofifi Berprestasi in `year` from the facts known about the employee.

    Eligible only with every criterion met; each criterion gives a reason either way.
    """
    reasons = [
        _predikat_reason(year, predikat),
        *_complaint_reasons(year, complaints),
        *_sanction_reasons(year, sanctions),
        _jp_reason(year, jp),
    ]
    eligible = all(reason.code in POSITIVE for reason in reasons)
    return Eligibility(eligible, tuple(reasons))


def _predikat_reason(year: int, predikat: str) -> Reason:
    if predikat == REQUIRED_PREDIKAT:
        return Reason("PREDIKAT_SANGAT_BAIK", f"The annual predikat for {year} is SANGAT_BAIK.")
    return Reason(
        "PREDIKAT_NOT_SANGAT_BAIK",
        f"The annual predikat for {year} is {predikat}; the programme requires SANGAT_BAIK.",
    )


def _complaint_reasons(year: int, complaints: Iterable[Complaint]) -> list[Reason]:
    # No tracking number in the message: reasons reach the employee and the bus, and a
    # tracking number opens the citizen's report (PermenPAN-RB 14/2017 protects the reporter).
    counted = sorted(
        (c for c in complaints if complaint_in_period(c, year)),
        key=lambda c: (complaint_date(c), c.substantiated_on, c.incident_date or date.min),
    )
    if not counted:
        return [
            Reason("NO_SUBSTANTIATED_COMPLAINT", f"No substantiated public complaint in {year}.")
        ]
    return [
        Reason(
            "SUBSTANTIATED_COMPLAINT",
            f"A public complaint {_complaint_when(c)} was substantiated on {c.substantiated_on}.",
        )
        for c in counted
    ]


def _complaint_when(complaint: Complaint) -> str:
    if complaint.incident_date is None:
        return "(no incident date given)"
    return f"about an incident on {complaint.incident_date}"


def _sanction_reasons(year: int, sanctions: Iterable[Sanction]) -> list[Reason]:
    counted = sorted(
        (s for s in sanctions if sanction_in_period(s, year)),
        key=lambda s: (s.effective_from, s.effective_until or date.max, s.level),
    )
    if not counted:
        return [
            Reason("NO_DISCIPLINARY_SANCTION", f"No disciplinary sanction in effect in {year}.")
        ]
    return [
        Reason(
            "DISCIPLINARY_SANCTION",
            f"A disciplinary sanction ({s.level}, PP 94/2021) was in effect "
            f"from {s.effective_from} {_until(s)}.",
        )
        for s in counted
    ]


def _until(sanction: Sanction) -> str:
    if sanction.effective_until is None:
        return "with no end date"
    return f"to {sanction.effective_until}"


def _jp_reason(year: int, jp: JpRecord) -> Reason:
    # Messages carry no running total, so that a course completed above the minimum does not
    # re-publish an unchanged decision; the API shows the total beside the reasons.
    if not jp.ledger_open:
        return Reason(
            "JP_NOT_ASSESSED",
            f"No JP ledger for {year} has reached awards yet; JP compliance is not assessed.",
        )
    if (jp.total or 0) >= JP_MINIMUM:
        return Reason("JP_COMPLIANT", f"At least {JP_MINIMUM} JP recorded in {year} (PP 11/2017).")
    return Reason(
        "JP_BELOW_MINIMUM",
        f"Fewer than the {JP_MINIMUM} JP a year of PP 11/2017 recorded in {year}.",
    )
