"""Pure rules of citizen feedback: the SP4N-LAPOR! workflow and its working-day clocks, and the
IKM index of PermenPAN-RB 14/2017 (no I/O; the calendar's dates are given to the functions)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

WIT = timezone(timedelta(hours=9), "WIT")  # Maluku Utara keeps Waktu Indonesia Timur (UTC+9)

# -- the workflow (SP4N-LAPOR!) ---------------------------------------------------------------

KINDS = ("SUGGESTION", "COMPLAINT", "INFORMATION_REQUEST", "COMMENDATION")
SUBJECTS = ("UNIT", "SERVICE", "EMPLOYEE")
PRIVACY = ("PUBLIC", "CONFIDENTIAL", "ANONYMOUS")
CHANNELS = ("WEB", "X", "FACEBOOK", "INSTAGRAM", "WHATSAPP", "OWN")
SEVERITIES = ("RINGAN", "SEDANG", "BERAT")
STATUSES = (
    "RECEIVED",
    "VERIFIED",
    "REJECTED",
    "FORWARDED",
    "DISPOSITIONED",
    "IN_FOLLOW_UP",
    "RESOLVED",
    "CLOSED",
)
# Reports still waiting on someone; the public "similar reports" offer shows only these.
OPEN_STATUSES = ("RECEIVED", "VERIFIED", "DISPOSITIONED", "IN_FOLLOW_UP")
VERIFY_WORKING_DAYS = 3  # verified (or rejected / forwarded) within 3 working days
RESPOND_WORKING_DAYS = 5  # the unit responds within 5 working days of the disposition
# The citizen may reopen a resolved or closed report within 14 calendar days of its
# resolution, once: long enough to see whether the fix holds, short enough to end a case.
REOPEN_WINDOW_DAYS = 14
MAX_REOPENS = 1

# action -> (states it may start from, state it leads to); "who" is checked by the workflow.
TRANSITIONS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "verify": (("RECEIVED",), "VERIFIED"),
    "reject": (("RECEIVED", "VERIFIED"), "REJECTED"),
    "forward": (("RECEIVED", "VERIFIED"), "FORWARDED"),
    "disposition": (("VERIFIED",), "DISPOSITIONED"),
    "respond": (("DISPOSITIONED",), "IN_FOLLOW_UP"),
    "resolve": (("IN_FOLLOW_UP",), "RESOLVED"),
    "close": (("RESOLVED",), "CLOSED"),
    "reopen": (("RESOLVED", "CLOSED"), "IN_FOLLOW_UP"),
}
# The stage whose clock runs in each state, and its limit in working days.
CLOCKS: Mapping[str, int] = {"RECEIVED": VERIFY_WORKING_DAYS, "DISPOSITIONED": RESPOND_WORKING_DAYS}
# Staff may ask the citizen for information while a report is still being handled.
ASKABLE = ("RECEIVED", "VERIFIED", "DISPOSITIONED", "IN_FOLLOW_UP")


def transition_problem(action: str, status: str) -> str | None:
    """Why `action` cannot be taken on a report in `status`, or None when it can."""
    sources, target = TRANSITIONS[action]
    if status in sources:
        return None
    return (
        f"A report that is {status} cannot be moved to {target} ({action}); "
        f"only from {', '.join(sources)}."
    )


def reopen_problem(resolved_on: date | None, today: date, reopens: int) -> str | None:
    """Why the citizen may not reopen (window passed, already reopened), or None."""
    if reopens >= MAX_REOPENS:
        return "This report was already reopened once."
    if resolved_on is None or (today - resolved_on).days > REOPEN_WINDOW_DAYS:
        return f"A report can be reopened within {REOPEN_WINDOW_DAYS} days of its resolution."
    return None


# -- working days in WIT ----------------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: Monday-Friday minus national holidays and cuti bersama (extra holidays),
    plus dates an admin declared working days despite a holiday (a removed national date)."""

    holidays: frozenset[date] = frozenset()
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """True when offices are open on `day`."""
        if day in self.extra_workdays:
            return True
        if day.weekday() >= 5:
            return False
        return day not in self.holidays and day not in self.extra_holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (the day of receipt itself does not count)."""
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                left -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 when end is not after start)."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def wit_date(moment: datetime) -> date:
    """The calendar day in WIT of an aware moment (a report at 23:30 UTC is the next day)."""
    return moment.astimezone(WIT).date()


def due_on(calendar: WorkCalendar, started_on: date, limit: int, paused_days: int) -> date:
    """The last working day of a stage that started on `started_on`, with its paused days."""
    return calendar.add_working_days(started_on, limit + paused_days)


def is_overdue(due: date | None, today: date, paused_on: date | None = None) -> bool:
    """Past its due day (the day after `due` or later, in WIT); frozen while paused."""
    if due is None:
        return False
    reference = paused_on if paused_on is not None else today
    return reference > due


# -- IKM (PermenPAN-RB 14/2017) ---------------------------------------------------------------

IKM_ELEMENT_COUNT = 9
WEIGHT = Decimal(1) / Decimal(IKM_ELEMENT_COUNT)
CONVERSION = Decimal(25)
TWO_PLACES = Decimal("0.01")
# Converted IKM intervals and the service quality they mean (lower bound, category, quality).
CATEGORIES: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("88.31"), "A", "Sangat Baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang Baik"),
    (Decimal("25.00"), "D", "Tidak Baik"),
)


def nrr(scores: Sequence[int]) -> Decimal:
    """Nilai rata-rata of one element: the mean of its 1-4 answers (not rounded here)."""
    if not scores:
        raise ValueError("an element needs at least one answer")
    return Decimal(sum(scores)) / Decimal(len(scores))


def ikm_index(nrrs: Sequence[Decimal]) -> Decimal:
    """IKM = sum(NRR x 1/9) x 25, rounded to 2 decimals (half up) as the regulation's table."""
    if len(nrrs) != IKM_ELEMENT_COUNT:
        raise ValueError("the IKM needs the 9 elements")
    weighted = sum((value * WEIGHT for value in nrrs), Decimal(0))
    return (weighted * CONVERSION).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def ikm_category(index: Decimal) -> tuple[str, str]:
    """The category (A-D) and quality of a converted IKM, on its 2-decimal value."""
    rounded = index.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    if not Decimal(25) <= rounded <= Decimal(100):
        raise ValueError("an IKM lies between 25 and 100")
    for lower, category, quality in CATEGORIES:
        if rounded >= lower:
            return category, quality
    raise AssertionError("unreachable: 25.00 is the last lower bound")


@dataclass(frozen=True)
class IkmResult:
    """A survey's result: NRR per element (2 decimals), the index, category and quality."""

    respondents: int
    nrr: tuple[Decimal, ...]
    ikm: Decimal
    category: str
    quality: str


def ikm_result(answers: Iterable[Sequence[int]]) -> IkmResult:
    """The result of a survey's answers (each 9 scores of 1-4)."""
    rows = [tuple(row) for row in answers]
    if not rows:
        raise ValueError("no answers")
    for row in rows:
        if len(row) != IKM_ELEMENT_COUNT or any(not 1 <= s <= 4 for s in row):
            raise ValueError("each answer is 9 scores of 1-4")
    means = [nrr([row[i] for row in rows]) for i in range(IKM_ELEMENT_COUNT)]
    index = ikm_index(means)
    category, quality = ikm_category(index)
    shown = tuple(m.quantize(TWO_PLACES, rounding=ROUND_HALF_UP) for m in means)
    return IkmResult(len(rows), shown, index, category, quality)


# Krejcie & Morgan (1970), as PermenPAN-RB 14/2017's appendix tabulates it: population -> sample.
KREJCIE_MORGAN: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44),
    (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76),
    (100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118),
    (180, 123), (190, 127), (200, 132), (210, 136), (220, 140), (230, 144), (240, 148),
    (250, 152), (260, 155), (270, 159), (280, 162), (290, 165), (300, 169), (320, 175),
    (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254),
    (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291),
    (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313), (1800, 317), (1900, 320),
    (2000, 322), (2200, 327), (2400, 331), (2600, 335), (2800, 338), (3000, 341), (3500, 346),
    (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368),
    (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381),
    (75000, 382), (1000000, 384),
)  # fmt: skip


def minimum_sample(population: int) -> int:
    """The Krejcie-Morgan sample for a service population: the row at or above it (cautious)."""
    if population < 1:
        raise ValueError("a population is at least 1")
    for size, sample in KREJCIE_MORGAN:
        if population <= size:
            return min(sample, population)
    return KREJCIE_MORGAN[-1][1]


def utc_now() -> datetime:
    """The default clock of the service (tests inject their own)."""
    return datetime.now(UTC)


# -- what the public may read ----------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(\+62|\b0)[\d\s.-]{7,16}\d")
_LONG_NUMBER = re.compile(r"\b\d{8,}\b")  # NIK (16), NIP (18), account numbers
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
REDACTED = "[disamarkan]"
EXCERPT_CHARS = 280


def redact(text: str, names: Iterable[str] = ()) -> str:
    """`text` without e-mails, phone numbers, long numbers (NIK, NIP), handles and `names`."""
    text = _EMAIL.sub(REDACTED, text)
    text = _PHONE.sub(REDACTED, text)
    text = _LONG_NUMBER.sub(REDACTED, text)
    text = _HANDLE.sub(REDACTED, text)
    for name in names:
        if name.strip():
            text = re.sub(re.escape(name.strip()), REDACTED, text, flags=re.IGNORECASE)
    return text


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first `limit` characters of `text`, cut at a word, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


# -- the staff engagement survey (issue 16) ---------------------------------------------------

MIN_GROUP = 10  # no result of a group smaller than this is disclosed (no small-group disclosure)
ENGAGEMENT_SCALE = (1, 5)


def disclosable(respondents: int, minimum: int = MIN_GROUP) -> bool:
    """True when a group of `respondents` is large enough for its results to be shown."""
    return respondents >= minimum


def engagement_results(answers: Sequence[Sequence[int]], questions: int) -> dict | None:
    """Per-question means (2 decimals) and the overall mean, or None for a small group."""
    if not disclosable(len(answers)):
        return None
    means = [
        float(
            (Decimal(sum(a[i] for a in answers)) / len(answers)).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
        )
        for i in range(questions)
    ]
    overall = Decimal(sum(means)) / questions
    return {"means": means, "overall": float(overall.quantize(Decimal("0.01"), ROUND_HALF_UP))}
