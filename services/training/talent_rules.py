"""Pure rules of talent mapping (manajemen talenta), each naming its source (no I/O here).

- PermenPAN-RB 3/2020 (Manajemen Talenta ASN): talents are mapped on a nine-box of performance
  (kinerja) against potential (potensial); its annex numbers the boxes 1..9 and names them
  "Kinerja <di bawah / sesuai / di atas> ekspektasi dan potensial <rendah / menengah / tinggi>".
  Potential comes from a competency assessment (managerial and socio-cultural competency, job-person
  match) and may be adjusted by education, experience and track record.
- Peraturan BKN 26/2019 (Pembinaan Penyelenggara Penilaian Kompetensi): the job-person match
  (JPM) categories "optimal" (>= 90 %), "cukup optimal" (78-<90 %), "kurang optimal" (< 78 %).
- PermenPAN-RB 6/2022: the annual predikat (SANGAT_BAIK .. SANGAT_KURANG) the performance axis uses.
"""

from __future__ import annotations

from collections.abc import Sequence

LOW, MEDIUM, HIGH = "LOW", "MEDIUM", "HIGH"
LEVELS = (LOW, MEDIUM, HIGH)
BELOW, AS_EXPECTED, ABOVE = "BELOW", "AS_EXPECTED", "ABOVE"
PERFORMANCE_LEVELS = (BELOW, AS_EXPECTED, ABOVE)

# The annual predikat as a performance score: only SANGAT_BAIK is above expectation, BAIK meets
# it, and every predikat below BAIK is below it (PermenPAN-RB 6/2022).
PREDIKAT_SCORE = {
    "SANGAT_BAIK": 3,
    "BAIK": 2,
    "BUTUH_PERBAIKAN": 1,
    "KURANG": 1,
    "SANGAT_KURANG": 1,
}

JPM_HIGH = 90.0  # "optimal" (Peraturan BKN 26/2019)
JPM_MEDIUM = 78.0  # "cukup optimal"
COMPETENCY_FLOOR = 3.0  # a mean competency level below 3 (of 5) never yields HIGH
EXPERIENCE_YEARS = 10  # with a postgraduate degree: one level up
POSTGRADUATE = ("S2", "S3")
EDUCATION_LEVELS = ("SMA", "D3", "D4", "S1", "S2", "S3")
TRACK_RECORDS = ("GOOD", "NEUTRAL", "POOR")

# Box number -> (performance, potential, label), PermenPAN-RB 3/2020 annex.
BOXES = {
    1: (BELOW, LOW, "Kinerja di bawah ekspektasi dan potensial rendah"),
    2: (BELOW, MEDIUM, "Kinerja di bawah ekspektasi dan potensial menengah"),
    3: (AS_EXPECTED, LOW, "Kinerja sesuai ekspektasi dan potensial rendah"),
    4: (BELOW, HIGH, "Kinerja di bawah ekspektasi dan potensial tinggi"),
    5: (AS_EXPECTED, MEDIUM, "Kinerja sesuai ekspektasi dan potensial menengah"),
    6: (ABOVE, LOW, "Kinerja di atas ekspektasi dan potensial rendah"),
    7: (AS_EXPECTED, HIGH, "Kinerja sesuai ekspektasi dan potensial tinggi"),
    8: (ABOVE, MEDIUM, "Kinerja di atas ekspektasi dan potensial menengah"),
    9: (ABOVE, HIGH, "Kinerja di atas ekspektasi dan potensial tinggi"),
}
_BOX_OF = {(perf, pot): box for box, (perf, pot, _label) in BOXES.items()}
LOW_BOXES = (1, 2, 3)  # owed a development plan (PermenPAN-RB 3/2020: development or review)


def performance_level(predikats: Sequence[str]) -> str:
    """The performance axis from the annual predikat of the last two years (newest first).

    The mean score of the years known (one or two): >= 2.5 ABOVE, >= 2 AS_EXPECTED, else BELOW,
    so SANGAT_BAIK + BAIK is above expectation and BAIK + a predikat below BAIK is below it.
    """
    scores = [PREDIKAT_SCORE[p] for p in predikats[:2]]
    if not scores:
        raise ValueError("no predikat")
    mean = sum(scores) / len(scores)
    return ABOVE if mean >= 2.5 else AS_EXPECTED if mean >= 2 else BELOW


def base_potential(managerial: float, socio_cultural: float, job_match: float) -> str:
    """The assessment's potential: JPM >= 90 % HIGH, >= 78 % MEDIUM, else LOW; a mean
    competency level below 3 caps it at MEDIUM."""
    level = HIGH if job_match >= JPM_HIGH else MEDIUM if job_match >= JPM_MEDIUM else LOW
    if level == HIGH and (managerial + socio_cultural) / 2 < COMPETENCY_FLOOR:
        return MEDIUM
    return level


def adjusted_potential(base: str, education: str, experience_years: int, track: str) -> str:
    """The base level moved by at most one step: up for S2/S3 with >= 10 years of experience,
    down for a POOR track record; both cancel out. Never beyond LOW..HIGH."""
    step = int(education in POSTGRADUATE and experience_years >= EXPERIENCE_YEARS)
    step -= int(track == "POOR")
    return LEVELS[max(0, min(2, LEVELS.index(base) + step))]


def box(performance: str, potential: str) -> int:
    """The nine-box number of a performance level and a potential level."""
    return _BOX_OF[(performance, potential)]


def label(box_number: int) -> str:
    """The Indonesian label of a box."""
    return BOXES[box_number][2]


def movement(previous: int | None, current: int) -> str:
    """NEW (not mapped last year), UP, DOWN or SAME, by box number."""
    if previous is None:
        return "NEW"
    return "UP" if current > previous else "DOWN" if current < previous else "SAME"
