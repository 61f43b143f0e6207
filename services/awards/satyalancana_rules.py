"""Pure rules of the Satyalancana Karya Satya (PP 25/1994), no I/O.

PP 25/1994 art. 4(2): the medal is given for at least 10, 20 or 30 years of continuous work
("bekerja secara terus-menerus") as a civil servant, counted from TMT CPNS; art. 4(3): within
that continuous work the servant was never given a moderate or severe disciplinary sanction
(today PP 94/2021 SEDANG or BERAT). Unpaid leave (CLTN) is no work: it breaks the continuity.

Whether the count starts again after the leave or the sanction is read differently between
provinces. `restart=True` (the default, see the README) counts again from the day after the leave
ends or the sanction has been served; `restart=False` excludes anyone who ever had CLTN or such a
sanction in their service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

PROGRAMME = "SATYALANCANA_KARYA_SATYA"
# PP 25/1994 art. 2 and 4(2): the three classes and the years each needs.
CLASSES: tuple[tuple[str, int], ...] = (("X", 10), ("XX", 20), ("XXX", 30))
YEARS_OF = dict(CLASSES)
_NAMES = tuple(YEARS_OF)
# PP 25/1994 art. 4(3): only these levels (PP 94/2021) disqualify; RINGAN does not.
DISQUALIFYING = frozenset({"SEDANG", "BERAT"})
# The medal is for PNS (art. 1); CPNS years count once appointed PNS, PPPK are not PNS.
ELIGIBLE_STATUS = "PNS"
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Leave:
    """A period of unpaid leave (CLTN); `end` None means it still runs."""

    start: date
    end: date | None = None


@dataclass(frozen=True)
class Sanction:
    """A disciplinary sanction: imposed on `decided_on`, served until `effective_until`."""

    level: str
    decided_on: date
    effective_until: date | None = None


class Servant(NamedTuple):
    """What the rule needs of one employee."""

    nip: str
    status: str
    tmt_cpns: date
    leave: tuple[Leave, ...] = ()
    sanctions: tuple[Sanction, ...] = ()
    held: frozenset[str] = frozenset()  # classes already received


class Reason:
    """Why an employee is or is not proposed: a stable code and a message for people.

    The message is formatted when read: a summary of 100,000 employees reads none of them.
    """

    __slots__ = ("_args", "_template", "code")

    def __init__(self, code: str, template: str, *args: object) -> None:
        self.code = code
        self._template = template
        self._args = args

    @property
    def message(self) -> str:
        return self._template.format(*self._args)

    def __repr__(self) -> str:
        return f"Reason({self.code!r}, {self.message!r})"


class Outcome(NamedTuple):
    """The proposal for one employee: the class proposed (None when excluded) and why."""

    nip: str
    award_class: str | None
    years: int
    counted_from: date | None
    holds: tuple[str, ...]
    reasons: tuple[Reason, ...]

    @property
    def proposed(self) -> bool:
        return self.award_class is not None


def anniversary(start: date, years: int) -> date:
    """The day `years` full years after `start` are complete.

    A count from 29 February completes its year on 1 March of a common year: the whole of
    February must have passed, so nobody gains a day by being counted from a leap day.
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return date(start.year + years, 3, 1)


def completed_years(start: date, on: date) -> int:
    """Full years of service from `start` (its first day) to `on` (included).

    The same as counting anniversaries (`anniversary`): a year is complete once `on` reaches
    the start's month and day, and 29 February is reached on 1 March of a common year.
    """
    if on < start:
        return 0
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def _breaks(servant: Servant, on: date) -> list[tuple[date, date | None, str]]:
    """Leave and disqualifying sanctions begun by `on`, as (first day, last day, kind)."""
    spans: list[tuple[date, date | None, str]] = [
        (leave.start, leave.end, "UNPAID_LEAVE") for leave in servant.leave if leave.start <= on
    ]
    spans += [
        (s.decided_on, s.effective_until, "SANCTION")
        for s in servant.sanctions
        if s.level in DISQUALIFYING and s.decided_on <= on
    ]
    return sorted(spans, key=lambda span: (span[0], span[1] or date.max))


def satyalancana(servant: Servant, on: date, *, restart: bool = True) -> Outcome:
    """The class to propose `servant` for on the day `on`, or why they are excluded."""
    held = servant.held
    holds = tuple(c for c in _NAMES if c in held) if held else ()
    if servant.status != ELIGIBLE_STATUS:
        why = Reason("NOT_PNS", "Status {}: the medal is for PNS (PP 25/1994).", servant.status)
        return Outcome(servant.nip, None, 0, None, holds, (why,))
    start = servant.tmt_cpns
    notes: list[Reason] = []
    breaks = _breaks(servant, on) if servant.leave or servant.sanctions else ()
    for first, last, kind in breaks:
        if last is not None and last < start:
            continue  # already behind the count (an earlier break covered it)
        if not restart:
            return _excluded(servant, holds, start, on, _in_service(kind, first))
        if last is None or last >= on:
            return _excluded(servant, holds, start, on, _running(kind, first))
        start = last + _DAY
        notes.append(_restarted(kind, first, last, start))
    years = completed_years(start, on)
    award_class = "XXX" if years >= 30 else "XX" if years >= 20 else "X" if years >= 10 else None
    if award_class is None:
        why = Reason(
            "SERVICE_TOO_SHORT",
            "{} years of continuous service from {} by {}; 10 are needed.",
            years,
            start,
            on,
        )
        return Outcome(servant.nip, None, years, start, holds, (*notes, why))
    if held and any(YEARS_OF[c] >= YEARS_OF[award_class] for c in held):
        why = Reason(
            "ALREADY_HOLDS",
            "Already holds Satyalancana Karya Satya {}; {} years do not reach the next class.",
            max(held, key=YEARS_OF.__getitem__),
            years,
        )
        return Outcome(servant.nip, None, years, start, holds, (*notes, why))
    why = Reason(
        "CONTINUOUS_SERVICE",
        "{} years of continuous service from {} by {}: class {} ({} years, PP 25/1994 art. 4).",
        years,
        start,
        on,
        award_class,
        YEARS_OF[award_class],
    )
    return Outcome(servant.nip, award_class, years, start, holds, (*notes, why))


def _excluded(servant: Servant, holds: tuple[str, ...], start: date, on: date, why: Reason):
    return Outcome(servant.nip, None, completed_years(start, on), start, holds, (why,))


def _in_service(kind: str, first: date) -> Reason:
    if kind == "UNPAID_LEAVE":
        return Reason(
            "UNPAID_LEAVE_IN_SERVICE",
            "Unpaid leave (CLTN) from {} broke the continuous service, and this "
            "province does not count again after it.",
            first,
        )
    return Reason(
        "SANCTION_IN_SERVICE",
        "A moderate or severe disciplinary sanction imposed on {} lies in the service "
        "(PP 25/1994 art. 4(3)), and this province does not count again after it.",
        first,
    )


def _running(kind: str, first: date) -> Reason:
    if kind == "UNPAID_LEAVE":
        return Reason("UNPAID_LEAVE_RUNNING", "On unpaid leave (CLTN) since {}.", first)
    return Reason(
        "SANCTION_RUNNING",
        "A moderate or severe disciplinary sanction imposed on {} is still being served.",
        first,
    )


def _restarted(kind: str, first: date, last: date, start: date) -> Reason:
    what = "unpaid leave (CLTN)" if kind == "UNPAID_LEAVE" else "a moderate or severe sanction"
    return Reason(
        f"COUNT_RESTARTED_AFTER_{'LEAVE' if kind == 'UNPAID_LEAVE' else 'SANCTION'}",
        "The count starts again on {}, after {} from {} to {}.",
        start,
        what,
        first,
        last,
    )


def proposal(
    servants: Iterable[Servant], on: date, *, restart: bool = True
) -> tuple[list[Outcome], list[Outcome]]:
    """The proposed and the excluded, each in the order given."""
    proposed: list[Outcome] = []
    excluded: list[Outcome] = []
    for servant in servants:
        outcome = satyalancana(servant, on, restart=restart)
        (proposed if outcome.proposed else excluded).append(outcome)
    return proposed, excluded
