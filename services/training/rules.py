"""Pure rules of training needs, each naming the regulation it comes from (no I/O here).

- PP 11/2017 (Manajemen PNS) as amended by PP 17/2020: competency development is a right of
  every civil servant; it addresses competency gaps and performance gaps, and competencies are
  technical (teknis), managerial (manajerial) or socio-cultural (sosial kultural). A CPNS serves
  one year of probation from TMT CPNS, during which they take integrated basic training.
- PermenPAN-RB 6/2022 (Pengelolaan Kinerja Pegawai ASN): the annual predikat and the seven
  BerAKHLAK behaviour values; a predikat below BAIK calls for performance development.
- Peraturan LAN 1/2021 (Pelatihan Dasar CPNS): Latsar is completed during probation.
- PermenPAN-RB 38/2017 (Standar Kompetensi Jabatan ASN): the names of the managerial and
  socio-cultural competencies the BerAKHLAK values are mapped to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from contracts.appraisal import BERAKHLAK_VALUES

DEVELOPMENT = "DEVELOPMENT"
COMPETENCY = "COMPETENCY"
LATSAR = "LATSAR"
KINDS = (DEVELOPMENT, COMPETENCY, LATSAR)

APPRAISAL = "APPRAISAL"
APPOINTMENT = "APPOINTMENT"
GAP_ANALYSIS = "GAP_ANALYSIS"
SOURCES = (APPRAISAL, APPOINTMENT, GAP_ANALYSIS)

TEKNIS = "TEKNIS"
MANAJERIAL = "MANAJERIAL"
SOSIAL_KULTURAL = "SOSIAL_KULTURAL"
COMPETENCY_TYPES = (TEKNIS, MANAJERIAL, SOSIAL_KULTURAL)

OPEN = "OPEN"

# PermenPAN-RB 6/2022: only the annual rating is calibrated per unit and finalised; quarterly
# reviews are feedback within the year, so they identify no needs (else one gap counts 5 times).
COUNTED_PERIODS = frozenset({"ANNUAL"})
# The predikat below BAIK: results and/or behaviour under expectations (PermenPAN-RB 6/2022).
DEVELOPMENT_PREDIKAT = frozenset({"BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"})
DI_BAWAH = "DI_BAWAH"

# One general performance-development need, always under this name, so that a re-finalized
# appraisal (another predikat below BAIK) finds the need it already made.
DEVELOPMENT_COMPETENCY = ("Pengembangan kinerja", MANAJERIAL)

# BerAKHLAK value rated DI_BAWAH -> the competency that develops it, and its type.
# Managerial and socio-cultural names follow the competency dictionary of PermenPAN-RB 38/2017.
COMPETENCY_OF_VALUE: Mapping[str, tuple[str, str]] = {
    "berorientasi_pelayanan": ("Pelayanan publik", MANAJERIAL),
    "akuntabel": ("Akuntabilitas dan integritas", MANAJERIAL),
    # "Kompeten" is doing one's own job with the best quality and keeping skills current: the
    # remedy is training in the position's own field, i.e. technical.
    "kompeten": ("Kompetensi teknis bidang tugas", TEKNIS),
    "harmonis": ("Perekat bangsa", SOSIAL_KULTURAL),
    "loyal": ("Wawasan kebangsaan dan etika ASN", SOSIAL_KULTURAL),
    "adaptif": ("Mengelola perubahan", MANAJERIAL),
    "kolaboratif": ("Kerja sama", MANAJERIAL),
}

# Peraturan LAN 1/2021: Latsar forms the CPNS's national values and BerAKHLAK conduct
# (bela negara, nilai dasar ASN, kedudukan dan peran ASN): socio-cultural.
LATSAR_COMPETENCY = ("Pelatihan Dasar CPNS (Latsar)", SOSIAL_KULTURAL)
# PP 11/2017 as amended by PP 17/2020: one year of probation from TMT CPNS.
PROBATION_YEARS = 1


@dataclass(frozen=True)
class Need:
    """A training need the rules identified (not yet stored)."""

    nip: str
    unit: str
    year: int
    kind: str
    competency: str
    competency_type: str
    source: str
    source_ref: str
    reason: str
    supervisor_nip: str | None = None

    @property
    def need_id(self) -> str:
        """Derived from the facts that make a need unique, so the same facts give the same id."""
        return need_id(self.year, self.source, self.source_ref, self.kind, self.competency)

    def as_row(self) -> dict[str, Any]:
        """The need as a row of `training_needs` (without the time it was identified)."""
        # vars(), not dataclasses.asdict(): the fields are flat and asdict deep-copies them.
        return {"need_id": self.need_id, **vars(self), "status": OPEN}


def need_id(year: int, source: str, source_ref: str, kind: str, competency: str) -> str:
    """`NEED-<year>-<12 hex digits>`: a digest of (source, source_ref, kind, competency)."""
    key = "\x1f".join((source, source_ref, kind, competency)).encode()
    return f"NEED-{year}-{hashlib.sha256(key).hexdigest()[:12].upper()}"


def plan_year(appraisal_year: int) -> int:
    """The training plan a need from the annual rating of `appraisal_year` belongs to.

    The annual rating is finalised after the year ends (PermenPAN-RB 6/2022), so its gaps are
    addressed in the following year's development plan.
    """
    return appraisal_year + 1


def needs_from_appraisal(appraisal: Mapping[str, Any]) -> list[Need]:
    """The needs a finalized appraisal (`appraisal.appraisal.finalized` data) identifies.

    A general development need for a predikat below BAIK, and a competency need for every
    BerAKHLAK value rated DI_BAWAH (PermenPAN-RB 6/2022; PP 11/2017 as amended by PP 17/2020).
    """
    if appraisal["period"] not in COUNTED_PERIODS:
        return []
    year = appraisal["year"]

    def need(kind: str, competency: tuple[str, str], reason: str) -> Need:
        return Need(
            nip=appraisal["nip"],
            unit=appraisal["unit"],
            year=plan_year(year),
            kind=kind,
            competency=competency[0],
            competency_type=competency[1],
            source=APPRAISAL,
            source_ref=appraisal["appraisal_id"],
            reason=reason,
            supervisor_nip=appraisal.get("appraiser_nip"),
        )

    needs: list[Need] = []
    predikat = appraisal["predikat"]
    if predikat in DEVELOPMENT_PREDIKAT:
        reason = (
            f"Predikat kinerja {predikat} tahun {year} (hasil kerja "
            f"{appraisal['results_rating']}, perilaku kerja {appraisal['behaviour_rating']})"
        )
        needs.append(need(DEVELOPMENT, DEVELOPMENT_COMPETENCY, reason))
    values = appraisal["behaviour_values"]
    for value in BERAKHLAK_VALUES:
        if values.get(value) == DI_BAWAH:
            reason = f"Nilai BerAKHLAK '{value}' di bawah ekspektasi pada penilaian tahun {year}"
            needs.append(need(COMPETENCY, COMPETENCY_OF_VALUE[value], reason))
    return needs


def probation_ends(tmt_cpns: date) -> date:
    """The first day after probation (PP 11/2017 as amended by PP 17/2020: one year)."""
    try:
        return tmt_cpns.replace(year=tmt_cpns.year + PROBATION_YEARS)
    except ValueError:  # 29 February
        return date(tmt_cpns.year + PROBATION_YEARS, 3, 1)


def needs_from_appointment(employee: Mapping[str, Any]) -> list[Need]:
    """The Latsar need of a newly appointed CPNS (`recruitment.employee.appointed` data).

    PP 11/2017 as amended by PP 17/2020 and Peraturan LAN 1/2021: a CPNS completes Latsar
    during the probation year from TMT CPNS; a PNS or PPPK owes none. The need belongs to the
    year of TMT CPNS, the year of the intake whose Latsar classes are planned and funded.
    """
    if employee["status"] != "CPNS":
        return []
    tmt = date.fromisoformat(employee["tmt_cpns"])
    last_day = probation_ends(tmt) - timedelta(days=1)
    return [
        Need(
            nip=employee["nip"],
            unit=employee["unit"],
            year=tmt.year,
            kind=LATSAR,
            competency=LATSAR_COMPETENCY[0],
            competency_type=LATSAR_COMPETENCY[1],
            source=APPOINTMENT,
            source_ref=employee["nip"],
            reason=(
                f"CPNS dengan TMT {tmt.isoformat()}: Latsar wajib selesai dalam masa "
                f"percobaan, paling lambat {last_day.isoformat()}"
            ),
            supervisor_nip=employee.get("supervisor_nip"),
        )
    ]


def event_data(need: Need) -> dict[str, Any]:
    """The `training.need.identified` v1 data of a need."""
    return {
        "need_id": need.need_id,
        "nip": need.nip,
        "unit": need.unit,
        "year": need.year,
        "kind": need.kind,
        "competency": need.competency,
        "competency_type": need.competency_type,
        "source": need.source,
        "source_ref": need.source_ref,
        "reason": need.reason,
    }


# -- the JP ledger, enrolment and Latsar (issue 10) -----------------------------------------

# PP 11/2017 as amended by PP 17/2020 (art. 203) and Peraturan LAN on competency development:
# every civil servant has the right to at least 20 JP of competency development a year.
JP_MINIMUM = 20
# How long before the probation year ends a CPNS without Latsar is warned (a Latsar class runs
# for weeks and must be booked: three months leaves time to place them in one).
LATSAR_WARNING_DAYS = 90

MODES = ("CLASSICAL", "E_LEARNING", "BLENDED", "COACHING_MENTORING", "ON_THE_JOB")
PROVIDER_KINDS = ("BPSDM", "LAN", "UNIVERSITY", "NGO", "PROFESSIONAL_BODY", "OTHER")
# An enrolment that holds (or waits for) a seat, and so blocks overlapping dates.
ACTIVE = frozenset({"REQUESTED", "ENROLLED", "WAITLISTED"})


@dataclass(frozen=True)
class LedgerLine:
    """JP that may count: a passed course, or external learning (counted once approved)."""

    jp: float
    completed_on: date
    competency_type: str
    approved: bool = True


@dataclass(frozen=True)
class YearTotals:
    """An employee's JP in a year: by competency type, in all, pending and compliance."""

    year: int
    by_type: dict[str, float]
    total: float
    pending: float
    compliant: bool


def year_totals(year: int, lines: list[LedgerLine]) -> YearTotals:
    """JP of `year` counted by the date of completion; pending external learning not counted.

    PP 11/2017 as amended by PP 17/2020: the 20 JP are a yearly right, so JP count in the
    calendar year the learning was completed (a course ending on 2 January counts in the new
    year), and learning outside the catalogue counts only after BKD verifies it.
    """
    by_type = dict.fromkeys(COMPETENCY_TYPES, 0.0)
    pending = 0.0
    for line in lines:
        if line.completed_on.year != year:
            continue
        if line.approved:
            by_type[line.competency_type] += line.jp
        else:
            pending += line.jp
    total = sum(by_type.values())
    return YearTotals(year, by_type, total, pending, total >= JP_MINIMUM)


def months_left(year: int, as_of: date) -> int:
    """Calendar months of `year` still open on `as_of`, the current month included (0-12)."""
    if as_of.year < year:
        return 12
    if as_of.year > year:
        return 0
    return 12 - as_of.month + 1


def at_risk(total: float, scheduled: float, year: int, as_of: date) -> bool:
    """Short of 20 JP in `year` even counting the courses booked: still time to act."""
    return total + scheduled < JP_MINIMUM and months_left(year, as_of) > 0


def unit_compliance(totals: list[float]) -> dict[str, float | int]:
    """A unit's compliance: employees, how many reach 20 JP, and the share (0-1)."""
    compliant = sum(1 for t in totals if t >= JP_MINIMUM)
    share = compliant / len(totals) if totals else 0.0
    return {"employees": len(totals), "compliant": compliant, "rate": round(share, 4)}


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """True when two date ranges (both ends included) share at least one day."""
    return a_start <= b_end and b_start <= a_end


def seat_outcome(enrolled: int, capacity: int, *, waitlist: bool) -> str | None:
    """ENROLLED when a seat is free, WAITLISTED when full and waiting is wanted, else None."""
    if enrolled < capacity:
        return "ENROLLED"
    return "WAITLISTED" if waitlist else None


def partner_price(price: int, discount_percent: int) -> int:
    """The price per participant after an MoU's discount, in whole rupiah (rounded up)."""
    return -(-price * (100 - discount_percent) // 100)


@dataclass(frozen=True)
class LatsarStatus:
    """Where a CPNS stands with Latsar: the deadline, days left, and whether to warn."""

    probation_ends: date
    days_left: int
    done: bool
    overdue: bool
    warn: bool


def latsar_status(
    tmt_cpns: date, done: bool, today: date, warning_days: int = LATSAR_WARNING_DAYS
) -> LatsarStatus:
    """PP 11/2017 as amended by PP 17/2020, Peraturan LAN 1/2021: Latsar within probation.

    Warn when Latsar is not passed and the probation year ends within `warning_days`.
    """
    ends = probation_ends(tmt_cpns)
    days = (ends - today).days
    overdue = not done and days <= 0
    return LatsarStatus(ends, days, done, overdue, not done and days <= warning_days)


def is_latsar(competency: str | None) -> bool:
    """A course or need about Latsar (its fixed competency name)."""
    return competency == LATSAR_COMPETENCY[0]
