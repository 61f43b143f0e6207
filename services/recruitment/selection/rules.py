"""Pure rules of the CPNS selection (BKN rules as of 2024; KepmenPANRB 321/2024), no I/O here.

Scores (BKN's CAT system): SKD = TWK + TIU + TKP. TWK has 30 questions worth 5 (0-150) and
TIU 35 worth 5 (0-175), so both are multiples of 5. TKP has 45 questions scored 1-5, but BKN
reports 0 for a question left blank, so any whole number 0-225 can occur: we accept every
integer in 0-225 rather than refuse a real score below 45. SKB is reported on 0-100 with at
most two decimals.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CATEGORIES = ("GENERAL", "CUM_LAUDE", "DIASPORA", "DISABILITY")

# BKN: maximum and step of each SKD part.
SKD_PARTS = {"twk": (150, 5), "tiu": (175, 5), "tkp": (225, 1)}
SKD_MAX = 550
SKB_MAX = Decimal(100)
GPA_MAX = Decimal("4.00")
HUNDREDTH = Decimal("0.01")
THOUSANDTH = Decimal("0.001")

# BKN: SKB is sat by up to three times the quota of the formation.
SHORTLIST_FACTOR = 3

# Sofifi keeps WIT (UTC+9, no daylight saving); "calendar days" are WIT days.
WIT = timezone(timedelta(hours=9), "WIT")
# BKN's sanggah: filed within 3 calendar days of the announcement, answered within 7 days.
APPEAL_FILING_DAYS = 3
APPEAL_ANSWER_DAYS = 7


@dataclass(frozen=True)
class PassingGrade:
    """Minimum SKD scores of one category; a None bound is not applied."""

    twk_min: int | None = None
    tiu_min: int | None = None
    tkp_min: int | None = None
    total_min: int | None = None


# KepmenPANRB 321/2024 (the 2024 passing grades); years without their own rows use these.
PASSING_GRADES_2024: dict[str, PassingGrade] = {
    "GENERAL": PassingGrade(twk_min=65, tiu_min=80, tkp_min=166),
    "CUM_LAUDE": PassingGrade(tiu_min=85, total_min=311),
    "DIASPORA": PassingGrade(tiu_min=85, total_min=311),
    "DISABILITY": PassingGrade(tiu_min=60, total_min=286),
}


# -- validation: each returns why a value is refused, or None ------------------------------------


def skd_problem(field: str, value: object) -> str | None:
    """Why `value` cannot be the SKD part `field` (twk, tiu, tkp), or None (BKN CAT scoring)."""
    if field not in SKD_PARTS:
        return f"Unknown SKD part {field!r}; the parts are twk, tiu and tkp."
    maximum, step = SKD_PARTS[field]
    name = field.upper()
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{name} must be a whole number."
    if not 0 <= value <= maximum:
        return f"{name} must be between 0 and {maximum}."
    if value % step:
        return f"{name} must be a multiple of {step}."
    return None


def skb_problem(value: object) -> str | None:
    """Why `value` cannot be an SKB score (0-100, at most two decimals), or None."""
    return _hundredths_problem("SKB", value, SKB_MAX, "between 0 and 100")


def gpa_problem(value: object) -> str | None:
    """Why `value` cannot be a GPA (IPK 0.00-4.00, two decimals), or None."""
    return _hundredths_problem("GPA", value, GPA_MAX, "between 0.00 and 4.00")


def _hundredths_problem(name: str, value: object, maximum: Decimal, bounds: str) -> str | None:
    number = _decimal(value)
    if number is None:
        return f"{name} must be a number."
    if not 0 <= number <= maximum:
        return f"{name} must be {bounds}."
    if number != number.quantize(HUNDREDTH):
        return f"{name} has at most two decimals."
    return None


def category_problem(category: str) -> str | None:
    """Why `category` is not a formation category, or None."""
    if category not in CATEGORIES:
        return f"The category must be one of {', '.join(CATEGORIES)}."
    return None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


# -- SKD, passing grades, final score ------------------------------------------------------------


def skd_total(twk: int, tiu: int, tkp: int) -> int:
    """SKD total (0-550) = TWK + TIU + TKP."""
    return twk + tiu + tkp


def grade_for(category: str, grades: Mapping[str, PassingGrade] | None = None) -> PassingGrade:
    """The passing grade of `category` in a year's `grades`, else KepmenPANRB 321/2024's."""
    if grades and category in grades:
        return grades[category]
    return PASSING_GRADES_2024.get(category, PASSING_GRADES_2024["GENERAL"])


def passing_grade_problem(
    category: str, grades: Mapping[str, PassingGrade] | None, twk: int, tiu: int, tkp: int
) -> str | None:
    """Which minimum of the category's passing grade the SKD misses, or None when it passes."""
    grade = grade_for(category, grades)
    checks = (
        ("TWK", twk, grade.twk_min),
        ("TIU", tiu, grade.tiu_min),
        ("TKP", tkp, grade.tkp_min),
        ("SKD total", skd_total(twk, tiu, tkp), grade.total_min),
    )
    for name, score, minimum in checks:
        if minimum is not None and score < minimum:
            return f"{name} {score} is below the passing grade {minimum}."
    return None


def final_score(skd: int, skb: Decimal) -> Decimal:
    """Final score = SKD/550*100*40% + SKB*60%, rounded half up to 3 decimals (BKN)."""
    exact = Decimal(skd) * 40 / SKD_MAX + Decimal(skb) * Decimal("0.6")
    return exact.quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


# -- shortlist and ranking ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """An applicant's SKD parts, as the shortlist compares them."""

    key: object
    twk: int
    tiu: int
    tkp: int

    @property
    def skd(self) -> int:
        return skd_total(self.twk, self.tiu, self.tkp)


def shortlist_key(twk: int, tiu: int, tkp: int) -> tuple[int, int, int, int]:
    """Sort key for the SKB shortlist: SKD total, then TKP, TIU, TWK (all descending)."""
    return (-skd_total(twk, tiu, tkp), -tkp, -tiu, -twk)


def shortlist(candidates: Iterable[Scores], quota: int) -> set[object]:
    """Keys of those who sit the SKB: the best 3 x quota passers by SKD; whoever ties with the
    last place on SKD, TKP, TIU and TWK goes through too (BKN)."""
    ordered = sorted(candidates, key=lambda c: shortlist_key(c.twk, c.tiu, c.tkp))
    places = SHORTLIST_FACTOR * quota
    if len(ordered) <= places:
        return {c.key for c in ordered}
    cut = shortlist_key(ordered[places - 1].twk, ordered[places - 1].tiu, ordered[places - 1].tkp)
    return {c.key for c in ordered if shortlist_key(c.twk, c.tiu, c.tkp) <= cut}


def ranking_key(
    final: Decimal,
    twk: int,
    tiu: int,
    tkp: int,
    gpa: Decimal,
    birth_date: date,
    registration_number: str,
) -> tuple:
    """Sort key of the final ranking, best first: final score, SKD total, TKP, TIU, TWK, GPA
    (all descending), the older applicant (BKN), then the registration number so that the
    order is total."""
    return (
        -final,
        -skd_total(twk, tiu, tkp),
        -tkp,
        -tiu,
        -twk,
        -gpa,
        birth_date.toordinal(),
        registration_number,
    )


@dataclass(frozen=True)
class Applicant:
    """What the ranking of one formation needs to know about an application."""

    application_id: int
    registration_number: str
    birth_date: date
    gpa: Decimal
    twk: int | None = None
    tiu: int | None = None
    tkp: int | None = None
    skb: Decimal | None = None
    verification: str = "MS"
    withdrawn: bool = False


@dataclass(frozen=True)
class Result:
    """An application's place in its formation after a ranking run."""

    application_id: int
    skd_total: int
    passed_grade: bool
    shortlisted: bool
    final_score: Decimal | None
    rank: int | None
    outcome: str


def _stage(applicant: Applicant, category: str, grades: Mapping[str, PassingGrade] | None) -> str:
    """How far an application got before the shortlist: its outcome, or PASSED."""
    if applicant.withdrawn:
        return "WITHDRAWN"
    if applicant.verification == "TMS":
        return "TMS"
    scores = (applicant.twk, applicant.tiu, applicant.tkp)
    if applicant.verification != "MS" or None in scores:
        return "NO_SCORE"
    if passing_grade_problem(category, grades, *scores):
        return "FAILED_GRADE"
    return "PASSED"


def rank_formation(
    applicants: Sequence[Applicant],
    quota: int,
    category: str = "GENERAL",
    grades: Mapping[str, PassingGrade] | None = None,
) -> dict[int, Result]:
    """Every application's result in one formation: withdrawn, TMS, unverified or unscored
    applications do not compete; passers are shortlisted; the shortlisted with an SKB score
    are ranked, and the first `quota` are selected."""
    stages = {a.application_id: _stage(a, category, grades) for a in applicants}
    passers = [a for a in applicants if stages[a.application_id] == "PASSED"]
    chosen = shortlist((Scores(a.application_id, a.twk, a.tiu, a.tkp) for a in passers), quota)
    finals = {
        a.application_id: final_score(skd_total(a.twk, a.tiu, a.tkp), a.skb)
        for a in passers
        if a.application_id in chosen and a.skb is not None
    }
    ranked = sorted(
        (a for a in passers if a.application_id in finals),
        key=lambda a: ranking_key(
            finals[a.application_id], a.twk, a.tiu, a.tkp, a.gpa, a.birth_date,
            a.registration_number,
        ),
    )  # fmt: skip
    ranks = {a.application_id: place for place, a in enumerate(ranked, start=1)}
    results = {}
    for a in applicants:
        key = a.application_id
        outcome = stages[key]
        if outcome == "PASSED":
            if key not in chosen:
                outcome = "NOT_SHORTLISTED"
            elif key not in ranks:
                outcome = "NO_SCORE"  # shortlisted, SKB not (yet) scored
            else:
                outcome = "SELECTED" if ranks[key] <= quota else "NOT_SELECTED"
        total = sum(score or 0 for score in (a.twk, a.tiu, a.tkp))
        results[key] = Result(
            key, total, stages[key] == "PASSED", key in chosen, finals.get(key),
            ranks.get(key), outcome,
        )  # fmt: skip
    return results


# -- appeals (sanggah) ---------------------------------------------------------------------------


def _end_of_wit_day(moment: datetime, days_after: int) -> datetime:
    """The first instant (UTC) after the WIT calendar day `days_after` days after `moment`'s."""
    day = moment.astimezone(WIT).date() + timedelta(days=days_after + 1)
    return datetime.combine(day, time(0), tzinfo=WIT).astimezone(UTC)


def appeal_filing_closes(announced_at: datetime) -> datetime:
    """When filing closes: the end of the 3rd WIT calendar day after the announcement day."""
    return _end_of_wit_day(announced_at, APPEAL_FILING_DAYS)


def appeal_filing_problem(announced_at: datetime | None, filed_at: datetime) -> str | None:
    """Why an appeal cannot be filed at `filed_at`, or None (BKN: within 3 calendar days)."""
    if announced_at is None or filed_at < announced_at:
        return "The result of this formation has not been announced yet."
    closes = appeal_filing_closes(announced_at)
    if filed_at >= closes:
        last_day = (closes.astimezone(WIT) - timedelta(days=1)).date()
        return (
            f"Appeals could be filed until {last_day:%Y-%m-%d} (WIT), "
            f"{APPEAL_FILING_DAYS} days after the announcement."
        )
    return None


def appeal_answer_due(filed_at: datetime) -> datetime:
    """When the answer is due at the latest: the end of the 7th WIT day after filing."""
    return _end_of_wit_day(filed_at, APPEAL_ANSWER_DAYS)


# -- optimisation of empty posts ------------------------------------------------------------------


@dataclass(frozen=True)
class Vacancy:
    """A formation with fewer selected applicants than its quota."""

    formation_id: int
    code: str
    position: str
    education: str
    category: str
    empty: int


@dataclass(frozen=True)
class Candidate:
    """A NOT_SELECTED applicant (shortlisted, met the passing grade) of a formation."""

    application_id: int
    formation_id: int
    position: str
    education: str
    category: str
    key: tuple  # ranking_key(...)


def optimisation_choices(
    vacancies: Iterable[Vacancy], candidates: Iterable[Candidate]
) -> list[tuple[int, int]]:
    """(application_id, formation_id it fills) for every empty post that can be filled.

    BKN's optimisation: an empty post is filled by the next-ranked applicant for the same
    position and qualification who met the passing grade: from formations of the same category,
    and special-category posts also from the general list. Posts are filled in the order of
    their formation codes, each by the best candidate left (by the ranking key across the
    formations concerned), so the choice is deterministic.
    """
    grouped: dict[tuple[str, str, str], list[Candidate]] = {}
    for candidate in candidates:
        group = (candidate.position, candidate.education, candidate.category)
        grouped.setdefault(group, []).append(candidate)
    pools = {group: deque(sorted(pool, key=lambda c: c.key)) for group, pool in grouped.items()}
    taken: set[int] = set()
    choices = []
    for post in sorted(vacancies, key=lambda v: v.code):
        sources = sorted({post.category, "GENERAL"})
        queues = [pools[(post.position, post.education, cat)] for cat in sources
                  if (post.position, post.education, cat) in pools]  # fmt: skip
        for _ in range(post.empty):
            best = _best_left(queues, taken, post.formation_id)
            if best is None:
                break
            taken.add(best.application_id)
            choices.append((best.application_id, post.formation_id))
    return choices


def _best_left(queues: list[deque[Candidate]], taken: set[int], formation_id: int):
    """The best candidate of the queues not yet taken and not from the post's own formation."""
    best = None
    for queue in queues:
        while queue and queue[0].application_id in taken:
            queue.popleft()
        for candidate in queue:
            # Only the post's own applicants are skipped without being dropped (they can't
            # fill their own formation's post, but may fill another's).
            if candidate.application_id in taken or candidate.formation_id == formation_id:
                continue
            if best is None or candidate.key < best.key:
                best = candidate
            break
    return best
