"""Pure rules of the Sofifi Berprestasi programme: timeline, recusal, scores, ranking, decision.

DESIGN.md ("Awards"): recognition within a yearly budget and quota, chosen transparently by
published criteria, committee scores and a public list. No I/O here.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

# Sofifi keeps WIT (UTC+9, no daylight saving): every window is a span of WIT calendar days.
WIT = timezone(timedelta(hours=9), "WIT")
# Scores per criterion are on 0-100; the weights of a programme's criteria add up to 100.
SCORE_MIN, SCORE_MAX, WEIGHT_TOTAL = 0, 100, 100
# Aggregates are compared at this many decimals, so that float noise never breaks a tie.
PRECISION = 4

# The timeline in order: each date is on or after the one before it.
TIMELINE = (
    "nominations_open",
    "nominations_close",
    "scoring_open",
    "scoring_close",
    "decision_on",
    "announcement_on",
)


def today_wit(now: datetime | None = None) -> date:
    """Today in Sofifi (WIT)."""
    return (now or datetime.now(WIT)).astimezone(WIT).date()


def timeline_problems(dates: Mapping[str, date], year: int) -> dict[str, str]:
    """Field -> reason for a timeline out of order or opening before the year it rewards."""
    problems: dict[str, str] = {}
    for before, after in itertools.pairwise(TIMELINE):
        if dates[after] < dates[before]:
            problems[after] = f"{after} must be on or after {before} ({dates[before]})."
    if dates["nominations_open"].year < year:
        problems["nominations_open"] = f"Nominations for {year} cannot open before {year}."
    return problems


def in_window(today: date, first: date, last: date) -> bool:
    """True when `today` is within [first, last] (both days included)."""
    return first <= today <= last


def criteria_problems(weights: Mapping[str, int]) -> dict[str, str]:
    """The criteria's weights must add up to 100."""
    total = sum(weights.values())
    if total != WEIGHT_TOTAL:
        return {"criteria": f"The weights add up to {total}; they must add up to {WEIGHT_TOTAL}."}
    return {}


# -- recusal --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A committee member as their token names them."""

    username: str
    nip: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Nominee:
    """What recusal looks at: the nominee, their unit, supervision chain and nominator."""

    nip: str
    unit: str
    chain: tuple[str, ...]  # supervisors upward: the direct supervisor first
    nominated_by: str
    nominator_nip: str | None = None


def conflict(member: Member, nominee: Nominee) -> str | None:
    """Why `member` must recuse from scoring `nominee`, or None (checked in this order)."""
    if member.nip is not None and member.nip == nominee.nip:
        return "IS_NOMINEE"
    nominated = member.username == nominee.nominated_by or (
        member.nip is not None and member.nip == nominee.nominator_nip
    )
    if nominated:
        return "NOMINATED_THEM"
    if member.nip is not None and member.nip in nominee.chain:
        return "SUPERVISION_CHAIN"
    if member.unit is not None and member.unit == nominee.unit:
        return "SAME_UNIT"
    return None


def supervision_chain(nip: str, supervisor_of: Mapping[str, str | None]) -> tuple[str, ...]:
    """The supervisors above `nip`, nearest first; stops at a loop or an unknown supervisor."""
    chain: list[str] = []
    current = supervisor_of.get(nip)
    while current is not None and current != nip and current not in chain:
        chain.append(current)
        current = supervisor_of.get(current)
    return tuple(chain)


# -- scores ---------------------------------------------------------------------------------


def sheet_problems(scores: Mapping[str, float], criteria: Iterable[str]) -> dict[str, str]:
    """A score sheet has a score for every criterion, none unknown, each within 0-100."""
    expected = set(criteria)
    problems: dict[str, str] = {}
    missing = sorted(expected - set(scores))
    unknown = sorted(set(scores) - expected)
    if missing:
        problems["scores"] = f"Missing a score for: {', '.join(missing)}."
    elif unknown:
        problems["scores"] = f"Not a criterion of this programme: {', '.join(unknown)}."
    elif any(not SCORE_MIN <= value <= SCORE_MAX for value in scores.values()):
        problems["scores"] = f"Every score is between {SCORE_MIN} and {SCORE_MAX}."
    return problems


def weighted_total(scores: Mapping[str, float], weights: Mapping[str, int]) -> float:
    """Sum of weight * score over the sum of weights: a sheet's score on 0-100."""
    total = sum(weights.values())
    return round(sum(weights[c] * scores[c] for c in weights) / total, PRECISION)


@dataclass(frozen=True)
class Aggregate:
    """A nomination's scores across the committee: the mean and how far members disagree."""

    nomination_id: int
    category: str
    scorers: int
    score: float | None  # mean of the members' weighted totals; None without a sheet
    spread: dict[str, float | None]  # min, max, stdev (population) of the totals
    criteria: dict[str, float]  # mean score per criterion
    submitted_at: datetime
    nip: str

    def as_dict(self) -> dict[str, object]:
        return {
            "nomination_id": self.nomination_id,
            "category": self.category,
            "scorers": self.scorers,
            "score": self.score,
            "spread": self.spread,
            "criteria": self.criteria,
        }


def aggregate(
    nomination_id: int,
    category: str,
    nip: str,
    submitted_at: datetime,
    sheets: Sequence[Mapping[str, float]],
    weights: Mapping[str, int],
) -> Aggregate:
    """The committee's aggregate of one nomination's score sheets (criterion -> score)."""
    totals = [weighted_total(sheet, weights) for sheet in sheets]
    if not totals:
        spread: dict[str, float | None] = {"min": None, "max": None, "stdev": None}
        return Aggregate(nomination_id, category, 0, None, spread, {}, submitted_at, nip)
    spread = {
        "min": min(totals),
        "max": max(totals),
        "stdev": round(statistics.pstdev(totals), PRECISION),
    }
    means = {c: round(statistics.fmean(s[c] for s in sheets), PRECISION) for c in weights}
    score = round(statistics.fmean(totals), PRECISION)
    return Aggregate(nomination_id, category, len(totals), score, spread, means, submitted_at, nip)


def tie_break_key(item: Aggregate, criteria_by_weight: Sequence[str]) -> tuple:
    """The ranking order, best first (README "Ties"): higher aggregate; then higher mean on the
    criteria from the heaviest down; then smaller spread (a committee that agrees); then the
    earlier nomination; then the NIP, so that the order is total."""
    return (
        -(item.score or 0.0),
        *(-item.criteria.get(c, 0.0) for c in criteria_by_weight),
        item.spread["stdev"] if item.spread["stdev"] is not None else float("inf"),
        item.submitted_at,
        item.nip,
    )


@dataclass
class Ranking:
    """One category's nominations in order: those with enough sheets ranked, the rest apart
    (too few sheets, or no longer eligible: a complaint or sanction arrived since)."""

    category: str
    ranked: list[Aggregate] = field(default_factory=list)
    unranked: list[Aggregate] = field(default_factory=list)
    ineligible: list[Aggregate] = field(default_factory=list)


def rank(
    aggregates: Iterable[Aggregate],
    categories: Sequence[str],
    criteria_by_weight: Sequence[str],
    min_scorers: int,
    ineligible: Iterable[int] = (),
) -> dict[str, Ranking]:
    """Per category (in the programme's order), the ranking by `tie_break_key`; nominations
    in `ineligible` are set apart, so that nobody is ranked above an award they cannot have."""
    rankings = {code: Ranking(code) for code in categories}
    lost = set(ineligible)
    for item in aggregates:
        ranking = rankings[item.category]
        if item.nomination_id in lost:
            ranking.ineligible.append(item)
        elif item.scorers >= min_scorers:
            ranking.ranked.append(item)
        else:
            ranking.unranked.append(item)
    for ranking in rankings.values():
        ranking.ranked.sort(key=lambda a: tie_break_key(a, criteria_by_weight))
        ranking.unranked.sort(key=lambda a: (a.submitted_at, a.nip))
        ranking.ineligible.sort(key=lambda a: (a.submitted_at, a.nip))
    return rankings


# -- decision -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryTerms:
    """What a category allows: how many awardees and how much each receives."""

    quota: int
    incentive_amount: int


def decision_problems(
    chosen: Sequence[int],
    rankings: Mapping[str, Ranking],
    terms: Mapping[str, CategoryTerms],
    budget: int,
) -> dict[str, str]:
    """Why the chosen nominations cannot be awarded (empty when they can).

    Each must be ranked (enough score sheets), at most `quota` per category, within the total
    budget, and within a category the chosen must be its best-ranked: nobody is passed over
    for someone the committee scored lower.
    """
    position = {
        a.nomination_id: (code, index)
        for code, ranking in rankings.items()
        for index, a in enumerate(ranking.ranked)
    }
    unranked = {a.nomination_id for r in rankings.values() for a in r.unranked}
    lost = {a.nomination_id for r in rankings.values() for a in r.ineligible}
    if len(set(chosen)) != len(chosen):
        return {"awards": "A nomination is named more than once."}
    for nomination_id in chosen:
        if nomination_id in lost:
            return {"awards": f"Nomination {nomination_id} is no longer eligible."}
        if nomination_id in unranked:
            return {"awards": f"Nomination {nomination_id} has too few score sheets to rank."}
        if nomination_id not in position:
            return {"awards": f"Nomination {nomination_id} is not a nomination of this programme."}
    per_category: dict[str, list[int]] = {}
    for nomination_id in chosen:
        code, index = position[nomination_id]
        per_category.setdefault(code, []).append(index)
    for code, indexes in per_category.items():
        if len(indexes) > terms[code].quota:
            return {
                "awards": f"{len(indexes)} awards in {code} exceed its quota of "
                f"{terms[code].quota}."
            }
        if sorted(indexes) != list(range(len(indexes))):
            passed = rankings[code].ranked[min(set(range(len(indexes))) - set(indexes))]
            return {
                "awards": f"In {code}, nomination {passed.nomination_id} ranks higher than one "
                "chosen and would be passed over."
            }
    spent = sum(terms[position[n][0]].incentive_amount for n in chosen)
    if spent > budget:
        return {"awards": f"The incentives (Rp {spent}) exceed the budget (Rp {budget})."}
    return {}
