"""Pure rules of performance appraisal under PermenPAN-RB 6/2022 (no I/O here).

The predikat comes from the matrix of work results (rows) against work behaviour (columns);
the unit's (organisation's) yearly rating bounds how its staff's predikat may be distributed.

Shares are checked with integer arithmetic only (no floats at a boundary):
- "at most p%" of n allows floor(p * n / 100) people (exactly p% passes);
- "at least p%" of n needs ceil(p * n / 100) people (exactly p% passes);
- "some" needs at least one person, "none" allows zero.
A minimum share of a *secondary* category (the "some BUTUH_PERBAIKAN and/or KURANG" of a BAIK
unit, the "≥ 10%" of KURANG and SANGAT_KURANG units) is waived for units of fewer than
`SMALL_UNIT` appraised staff: below ten people one person is more than 10%, so the requirement
would no longer bound a distribution but force a poor predikat onto someone to fit a curve.
Caps and the main "≥ 60%" share of a unit's own rating always apply.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

RATINGS = ("DI_ATAS", "SESUAI", "DI_BAWAH")
PREDIKATS = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
UNIT_RATINGS = ("ISTIMEWA", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
# Below this many appraised staff, minimum shares of secondary categories are waived.
SMALL_UNIT = 10

# PermenPAN-RB 6/2022, Lampiran: predikat kinerja pegawai; rows = hasil kerja, columns =
# perilaku kerja (DI_BAWAH, SESUAI, DI_ATAS).
_MATRIX: dict[str, dict[str, str]] = {
    "DI_ATAS": {"DI_BAWAH": "KURANG", "SESUAI": "BAIK", "DI_ATAS": "SANGAT_BAIK"},
    "SESUAI": {"DI_BAWAH": "KURANG", "SESUAI": "BAIK", "DI_ATAS": "BAIK"},
    "DI_BAWAH": {
        "DI_BAWAH": "SANGAT_KURANG",
        "SESUAI": "BUTUH_PERBAIKAN",
        "DI_ATAS": "BUTUH_PERBAIKAN",
    },
}


def predikat(results: str, behaviour: str) -> str:
    """The predikat for a results rating and an overall behaviour rating (PermenPAN-RB 6/2022)."""
    try:
        return _MATRIX[results][behaviour]
    except KeyError:
        raise ValueError(f"unknown rating: results={results!r}, behaviour={behaviour!r}") from None


@dataclass(frozen=True)
class Bound:
    """One distribution rule of a unit rating: a share of some predikat, at most or at least."""

    code: str
    categories: tuple[str, ...]
    kind: str  # "max" or "min"
    percent: int | None  # None: "some" (at least one person)
    secondary: bool = False  # a minimum of a secondary category: waived for small units

    def describe(self) -> str:
        """The rule in words, e.g. 'SANGAT_BAIK at most 70%'."""
        what = " or ".join(self.categories)
        if self.percent is None:
            return f"some {what}"
        if self.kind == "max" and self.percent == 0:
            return f"no {what}"
        return f"{what} {'at most' if self.kind == 'max' else 'at least'} {self.percent}%"

    def allowed(self, total: int) -> int:
        """The most (max) or fewest (min) people this rule allows in a unit of `total`."""
        if self.percent is None:
            return 1
        if self.kind == "max":
            return self.percent * total // 100
        return -(-self.percent * total // 100)

    def applies(self, total: int) -> bool:
        """False when the rule is waived for a unit this small (see the module's docstring)."""
        return total > 0 and not (self.secondary and total < SMALL_UNIT)


def _bound(
    rating: str, categories: tuple[str, ...], kind: str, percent: int | None, **kw: bool
) -> Bound:
    name = "_OR_".join(categories)
    suffix = f"{kind.upper()}_{percent}"
    if percent is None or percent == 0:
        suffix = "SOME" if percent is None else "NONE"
    return Bound(f"{rating}.{name}_{suffix}", categories, kind, percent, **kw)


BP_OR_K = ("BUTUH_PERBAIKAN", "KURANG")
K_OR_BP = ("KURANG", "BUTUH_PERBAIKAN")

# PermenPAN-RB 6/2022, Lampiran: distribusi predikat kinerja pegawai per predikat kinerja
# organisasi (as given in DESIGN.md section 4).
UNIT_RULES: dict[str, tuple[Bound, ...]] = {
    "ISTIMEWA": (_bound("ISTIMEWA", ("SANGAT_BAIK",), "max", 70),),
    "BAIK": (
        _bound("BAIK", ("BAIK",), "max", 70),
        _bound("BAIK", BP_OR_K, "min", None, secondary=True),
    ),
    "BUTUH_PERBAIKAN": (
        _bound("BUTUH_PERBAIKAN", ("BUTUH_PERBAIKAN",), "min", 60),
        _bound("BUTUH_PERBAIKAN", ("SANGAT_BAIK",), "max", 10),
    ),
    "KURANG": (
        _bound("KURANG", ("KURANG",), "min", 60),
        _bound("KURANG", ("BUTUH_PERBAIKAN",), "min", 10, secondary=True),
        _bound("KURANG", ("SANGAT_BAIK",), "max", 10),
    ),
    "SANGAT_KURANG": (
        _bound("SANGAT_KURANG", ("SANGAT_KURANG",), "min", 60),
        _bound("SANGAT_KURANG", K_OR_BP, "min", 10, secondary=True),
        _bound("SANGAT_KURANG", ("SANGAT_BAIK",), "max", 0),
    ),
}


@dataclass(frozen=True)
class Check:
    """One rule of a unit rating applied to a distribution: allowed against actual."""

    bound: Bound
    unit_rating: str
    total: int
    actual: int
    status: str  # "ok", "broken" or "waived"

    @property
    def allowed(self) -> int:
        return self.bound.allowed(self.total)

    def as_dict(self) -> dict[str, object]:
        """The check as the API shows it (code, rule, allowed vs actual, counts and shares)."""
        allowed_word = "at most" if self.bound.kind == "max" else "at least"
        actual_percent = percent(self.actual, self.total)
        message = (
            f"Unit rating {self.unit_rating}: {self.bound.describe()}; in a unit of "
            f"{self.total} that is {allowed_word} {self.allowed}, actual {self.actual} "
            f"({actual_percent}%)."
        )
        if self.status == "waived":
            message = (
                f"Unit rating {self.unit_rating}: {self.bound.describe()} is waived for units "
                f"of fewer than {SMALL_UNIT} appraised staff (this one has {self.total})."
            )
        return {
            "code": self.bound.code,
            "rule": self.bound.describe(),
            "status": self.status,
            "categories": list(self.bound.categories),
            "kind": self.bound.kind,
            "percent": self.bound.percent,
            "total": self.total,
            "allowed": self.allowed,
            "actual": self.actual,
            "actual_percent": actual_percent,
            "message": message,
        }


def percent(count: int, total: int) -> float:
    """`count` as a percentage of `total`, rounded to 2 places (display only)."""
    # For display only: decisions above never use it.
    return float(round(Fraction(100 * count, total), 2)) if total else 0.0


def distribution(predikats: Iterable[str]) -> dict[str, int]:
    """How many of each predikat (every predikat present, zero when absent)."""
    counted = Counter(predikats)
    unknown = set(counted) - set(PREDIKATS)
    if unknown:
        raise ValueError(f"unknown predikat: {sorted(unknown)}")
    return {name: counted.get(name, 0) for name in PREDIKATS}


def check_distribution(unit_rating: str, counts: Mapping[str, int]) -> list[Check]:
    """Every rule of `unit_rating` applied to `counts` (predikat -> people), in rule order."""
    if unit_rating not in UNIT_RULES:
        raise ValueError(f"unknown unit rating: {unit_rating!r}")
    total = sum(counts.values())
    checks = []
    for bound in UNIT_RULES[unit_rating]:
        actual = sum(counts.get(category, 0) for category in bound.categories)
        if not bound.applies(total):
            status = "waived"
        elif bound.kind == "max":
            status = "ok" if actual <= bound.allowed(total) else "broken"
        else:
            status = "ok" if actual >= bound.allowed(total) else "broken"
        checks.append(Check(bound, unit_rating, total, actual, status))
    return checks


def broken_rules(unit_rating: str, counts: Mapping[str, int]) -> list[Check]:
    """The rules of `unit_rating` that the distribution `counts` breaks (empty: it complies)."""
    return [check for check in check_distribution(unit_rating, counts) if check.status == "broken"]


# PermenPAN-RB 6/2022 leaves the time for an objection (keberatan) to the agency; the province
# gives 14 calendar days from finalization, as for its other personnel decisions.
OBJECTION_WINDOW = timedelta(days=14)


def objection_window_problem(finalized_at: datetime, now: datetime) -> str | None:
    """Why an objection filed at `now` is too late for a rating finalized at `finalized_at`."""
    closes = finalized_at + OBJECTION_WINDOW
    if now > closes:
        return (
            f"An objection must be filed within {OBJECTION_WINDOW.days} days of finalization; "
            f"the window closed at {closes.isoformat()}."
        )
    return None
