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
