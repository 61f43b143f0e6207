"""Ranking of the CPNS selection in the database, by the rules of `rules.py`.

`rank_formations` computes the results of one formation, a list, or a whole year in one
SELECT whose two window functions (the SKB shortlist, then the final ranking) run inside the
database over the passers only (the others' outcome needs no ordering): SQLAlchemy Core, the
same statements on SQLite (>= 3.33, for UPDATE ... FROM) and PostgreSQL, and no application row
crosses into Python. The stored results are then brought in line: rows whose result changed are
updated, new ones inserted, those of applications that moved to another formation deleted.

The final score is computed in integer thousandths, (SKD * 1600 + 11) / 22 + SKB * 600, which is
exactly `rules.final_score` rounded half up (SKD * 800 / 11 is the only inexact term, and never
ends in an exact half), so SQLite's floats cannot blur a tie.

Appointments are respected: an appointed applicant keeps the outcome they were appointed with
(SELECTED in their formation, or OPTIMISED into the formation of their appointment) and a post
filled by an appointment is not offered again; the remaining seats of a formation go to the
best applicants not appointed. `optimisation.optimise` then fills empty posts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    Connection,
    Integer,
    and_,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from chassis.db import UtcDateTime
from services.recruitment.selection import rules
from services.recruitment.selection.models import TIE_FACTS, A, F, G, P, R

# Formations per statement when a list is ranked (well under SQLite's bound-parameter limit);
# a longer list that is a whole year is ranked as the year, in one pass.
CHUNK = 2000
# The columns a ranking computes (besides application_id and ranked_at).
COMPUTED = (
    "formation_id",
    "skd_total",
    "passed_grade",
    "shortlisted",
    "final_score",
    "rank",
    "outcome",
    "optimised_into",
)


def rank_formations(
    bind: Session | Connection,
    formation_ids: Iterable[int] | None = None,
    *,
    year: int | None = None,
    unannounced_only: bool = False,
    now: datetime | None = None,
) -> int:
    """Recompute the results of the given formations (or of every formation of `year`, or of
    those not announced with `unannounced_only`) in the caller's transaction; returns how many
    result rows were written (changed or new).

    Re-ranking clears the OPTIMISED outcomes not appointed yet: run `optimise` after.
    """
    if (formation_ids is None) == (year is None):
        raise ValueError("rank either a list of formations or a whole year")
    now = now or datetime.now(UTC)
    if year is not None and unannounced_only:
        # Part of a year in one pass: the predicate joins formations to applications once,
        # where a list of ids would go in chunks that each scan the year's applications.
        scope = and_(F.c.year == year, F.c.announced_at.is_(None))
        return _replace(bind, scope, [year], now, whole_years=False)
    if year is not None:
        return _replace(bind, F.c.year == year, [year], now, whole_years=True)
    ids = sorted(set(formation_ids))
    years = _whole_years(bind, ids)
    if years:  # every formation of these years: one set-based pass instead of chunks
        return _replace(bind, F.c.year.in_(years), years, now, whole_years=True)
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        years = sorted(bind.execute(select(F.c.year).where(F.c.id.in_(chunk)).distinct()).scalars())
        written += _replace(bind, F.c.id.in_(chunk), years, now, whole_years=False)
    return written


def _whole_years(bind: Session | Connection, ids: list[int]) -> list[int]:
    """The years whose formations are exactly `ids` (when a long list is a whole year)."""
    if len(ids) <= CHUNK:
        return []
    counts: Counter[int] = Counter()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        counts.update(dict(bind.execute(_year_counts(F.c.id.in_(chunk))).all()))
    totals = dict(bind.execute(_year_counts(F.c.year.in_(list(counts)))).all())
    return sorted(counts) if counts == Counter(totals) and counts.total() == len(ids) else []


def _year_counts(condition):
    return select(F.c.year, func.count()).where(condition).group_by(F.c.year)


def passing_grades(bind: Session | Connection, years: Sequence[int]) -> dict[int, dict]:
    """{year: {category: PassingGrade}} as stored; years without rows are absent."""
    rows = bind.execute(select(G).where(G.c.year.in_(years))).mappings()
    grades: dict[int, dict] = {}
    for row in rows:
        grades.setdefault(row["year"], {})[row["category"]] = rules.PassingGrade(
            row["twk_min"], row["tiu_min"], row["tkp_min"], row["total_min"]
        )
    return grades


def _replace(bind, scope, years: Sequence[int], now: datetime, *, whole_years: bool) -> int:
    """Bring the stored results of `scope` in line with a fresh computation.

    Rows are updated only where the result changed and inserted where new (so `ranked_at` is
    when a result last changed): a re-rank after a few corrections rewrites a few rows, and an
    update never re-checks the foreign key to applications, which costs more than the ranking.
    """
    if not years:
        return 0
    passes = passes_grade(passing_grades(bind, years), years)
    computed = _results_query(scope, passes, _dialect(bind)).subquery("computed")
    c = computed.c
    if not whole_years:  # an application moved to another formation leaves this one
        moved = select(A.c.id).where(
            A.c.id == R.c.application_id, A.c.formation_id != R.c.formation_id
        )
        bind.execute(
            delete(R).where(R.c.formation_id.in_(select(F.c.id).where(scope)), moved.exists())
        )
    changed = or_(*(R.c[name].is_distinct_from(c[name]) for name in COMPUTED))
    update_changed = (
        update(R)
        .where(R.c.application_id == c.application_id, changed)
        .values({**{name: c[name] for name in COMPUTED}, "ranked_at": now})
    )
    new = select(computed, literal(now, UtcDateTime())).where(
        ~select(R.c.application_id).where(R.c.application_id == c.application_id).exists()
    )
    insert_new = insert(R).from_select(["application_id", *COMPUTED, "ranked_at"], new)
    written = 0
    for statement in (update_changed, insert_new):
        # Without preserve_rowcount SQLAlchemy reports -1 for an INSERT on psycopg.
        written += bind.execute(statement.execution_options(preserve_rowcount=True)).rowcount
    return written


def passes_grade(grades: dict[int, dict], years: Sequence[int]):
    """SQL truth of the formation's passing grade (`rules.passing_grade_problem` is None)."""
    whens = []
    for year in years:
        for category in rules.CATEGORIES:
            condition = F.c.category == category
            if len(years) > 1:
                condition = and_(F.c.year == year, condition)
            grade = rules.grade_for(category, grades.get(year))
            whens.append((condition, _meets(grade)))
    return case(*whens, else_=_meets(rules.grade_for("GENERAL")))


def _meets(grade: rules.PassingGrade):
    total = A.c.twk + A.c.tiu + A.c.tkp
    bounds = [
        (A.c.twk, grade.twk_min),
        (A.c.tiu, grade.tiu_min),
        (A.c.tkp, grade.tkp_min),
        (total, grade.total_min),
    ]
    checks = [score >= minimum for score, minimum in bounds if minimum is not None]
    return and_(*checks) if checks else literal(True)


def _results_query(scope, passes, dialect: str):
    """The SELECT that yields every result row of the formations in `scope`: those who did not
    pass need no window (their outcome is their stage), so only passers are sorted."""
    skd = func.coalesce(A.c.twk, 0) + func.coalesce(A.c.tiu, 0) + func.coalesce(A.c.tkp, 0)
    stage = case(
        (A.c.withdrawn, "WITHDRAWN"),
        (A.c.verification == "TMS", "TMS"),
        (
            or_(
                A.c.verification != "MS",
                A.c.twk.is_(None),
                A.c.tiu.is_(None),
                A.c.tkp.is_(None),
            ),
            "NO_SCORE",
        ),
        (not_(passes), "FAILED_GRADE"),
        else_="PASSED",
    )
    others = (
        select(
            A.c.id.label("application_id"),
            A.c.formation_id,
            skd.label("skd_total"),
            false().label("passed_grade"),
            false().label("shortlisted"),
            null().label("final_score"),
            null().label("rank"),
            stage.label("outcome"),
            null().label("optimised_into"),
        )
        .join(F, F.c.id == A.c.formation_id)
        .where(scope, stage != "PASSED")
    )
    return union_all(others, _passers_query(scope, stage, skd, dialect))


def _passers_query(scope, stage, skd, dialect: str):
    """Result rows of the passers: the SKB shortlist, then the final ranking (window functions)."""
    skb_hundredths = cast(func.round(A.c.skb * 100), Integer)
    filled = (
        select(P.c.formation_id, func.count().label("n"))
        .group_by(P.c.formation_id)
        .subquery("filled")
    )
    passers = (
        select(
            A.c.id,
            A.c.formation_id,
            F.c.quota,
            # Seats left to the applicants not appointed: posts filled by appointments are taken.
            (F.c.quota - func.coalesce(filled.c.n, 0)).label("seats"),
            P.c.formation_id.label("appointed_into"),
            *TIE_FACTS,
            skd.label("skd"),
            case((A.c.skb.is_not(None), (skd * 1600 + 11) // 22 + skb_hundredths * 6)).label(
                "final_milli"
            ),
        )
        .join(F, F.c.id == A.c.formation_id)
        .outerjoin(P, P.c.application_id == A.c.id)
        .outerjoin(filled, filled.c.formation_id == F.c.id)
        .where(scope, stage == "PASSED")
        .subquery("passers")
    )
    b = passers.c
    shortlist_place = func.rank().over(
        partition_by=b.formation_id,
        order_by=(b.skd.desc(), b.tkp.desc(), b.tiu.desc(), b.twk.desc()),
    )
    placed = select(passers, shortlist_place.label("shortlist_place")).subquery("placed")
    p = placed.c
    shortlisted = p.shortlist_place <= p.quota * rules.SHORTLIST_FACTOR
    rankable = and_(shortlisted, p.final_milli.is_not(None))
    registration = p.registration_number
    if dialect == "postgresql":
        registration = registration.collate("C")  # code-point order, as Python compares str
    order = (
        p.final_milli.desc(),
        p.skd.desc(),
        p.tkp.desc(),
        p.tiu.desc(),
        p.twk.desc(),
        p.gpa.desc(),
        p.birth_date.asc(),
        registration.asc(),
    )
    place = func.row_number().over(partition_by=(p.formation_id, rankable), order_by=order)
    # Appointed applicants at or above each place (same window, so one sort): a place minus
    # them is the applicant's place among those still competing for the seats left.
    appointed_ahead = func.sum(case((p.appointed_into.is_not(None), 1), else_=0)).over(
        partition_by=(p.formation_id, rankable), order_by=order, rows=(None, 0)
    )
    ranked = select(
        placed,
        shortlisted.label("shortlisted"),
        rankable.label("rankable"),
        place.label("place"),
        appointed_ahead.label("appointed_ahead"),
    ).subquery("ranked")
    r = ranked.c
    elsewhere = and_(r.appointed_into.is_not(None), r.appointed_into != r.formation_id)
    outcome = case(
        # An appointed applicant keeps the outcome they were appointed with.
        (r.appointed_into == r.formation_id, "SELECTED"),
        (elsewhere, "OPTIMISED"),
        (not_(r.shortlisted), "NOT_SHORTLISTED"),
        (not_(r.rankable), "NO_SCORE"),
        (r.place - r.appointed_ahead <= r.seats, "SELECTED"),
        else_="NOT_SELECTED",
    )
    return select(
        r.id,
        r.formation_id,
        r.skd,
        true(),
        r.shortlisted,
        case((r.rankable, r.final_milli * literal_column("0.001"))),
        case((r.rankable, r.place)),
        outcome,
        case((elsewhere, r.appointed_into)),
    )


def _dialect(bind: Session | Connection) -> str:
    return bind.dialect.name if isinstance(bind, Connection) else bind.get_bind().dialect.name
