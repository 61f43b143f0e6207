"""Optimisation of empty posts in the database, group by group, by `rules.optimisation_choices`.

A post is empty when its formation has fewer SELECTED applicants (not appointed) plus
appointments into it than its quota. The empty posts and the NOT_SELECTED candidates come in
one stream ordered by (position, education), read through a server-side cursor a few thousand
rows at a time: a (position, education) group is independent of the others (a post draws only
from its own position and qualification), so only one group is ever held in memory, not the
year's ~200,000 posts and ~160,000 candidates at national scale. Appointed applicants keep their
OPTIMISED outcome and are never offered another post.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Integer,
    Numeric,
    String,
    bindparam,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from services.recruitment.selection import rules
from services.recruitment.selection.models import TIE_FACTS, A, F, P, R

STREAM_ROWS = 2000  # rows fetched per round trip of the server-side cursor
WRITE_BATCH = 2000  # outcomes updated per executemany


@dataclass
class Optimisation:
    """What `optimise` did: empty posts before, posts filled, and who went where."""

    year: int
    empty: int = 0
    filled: int = 0
    moves: list[tuple[int, int, int]] = field(default_factory=list)  # (application, from, into)


def optimise(bind: Session | Connection, year: int) -> Optimisation:
    """Fill the empty posts of `year` from the NOT_SELECTED of the same position and education
    (`rules.optimisation_choices`); earlier OPTIMISED outcomes not appointed are redone."""
    appointed = exists().where(P.c.application_id == R.c.application_id)
    bind.execute(
        update(R)
        .where(
            R.c.formation_id.in_(select(F.c.id).where(F.c.year == year)),
            R.c.outcome == "OPTIMISED",
            ~appointed,
        )
        .values(outcome="NOT_SELECTED", optimised_into=None)
    )
    summary = Optimisation(year)
    rows = bind.execute(_stream(year).execution_options(yield_per=STREAM_ROWS))
    for vacancies, candidates in _groups(rows):
        summary.empty += sum(v.empty for v in vacancies)
        origin = {c.application_id: c.formation_id for c in candidates}
        for application, into in rules.optimisation_choices(vacancies, candidates):
            summary.moves.append((application, origin[application], into))
    summary.filled = len(summary.moves)
    # Written once the stream is read: the cursor is never read while its table changes.
    statement = (
        update(R)
        .where(R.c.application_id == bindparam("moved"))
        .values(outcome="OPTIMISED", optimised_into=bindparam("target"))
    )
    for start in range(0, len(summary.moves), WRITE_BATCH):
        batch = summary.moves[start : start + WRITE_BATCH]
        bind.execute(statement, [{"moved": a, "target": into} for a, _from, into in batch])
    return summary


def _groups(rows: Iterable) -> Iterator[tuple[list[rules.Vacancy], list[rules.Candidate]]]:
    """(vacancies, candidates) of each (position, education) group that has an empty post."""
    for (position, education), group in groupby(rows, key=lambda r: (r.position, r.education)):
        vacancies, candidates = [], []
        for row in group:
            if row.kind == 0:
                vacancies.append(
                    rules.Vacancy(
                        row.formation_id, row.code, position, education, row.category, row.empty
                    )
                )
                continue
            if not vacancies:  # vacancies sort first: a group without one has nothing to fill
                continue
            key = rules.ranking_key(
                row.final_score, row.twk, row.tiu, row.tkp, row.gpa, row.birth_date,
                row.registration_number,
            )  # fmt: skip
            candidates.append(
                rules.Candidate(
                    row.application_id, row.formation_id, position, education, row.category, key
                )
            )
        if vacancies:
            yield vacancies, candidates


def _stream(year: int):
    """Empty posts (kind 0) and candidates (kind 1) of `year`, ordered by group, posts first."""
    appointed = exists().where(P.c.application_id == R.c.application_id)
    selected = (
        select(R.c.formation_id, func.count().label("n"))
        .join(F, F.c.id == R.c.formation_id)
        .where(F.c.year == year, R.c.outcome == "SELECTED", ~appointed)
        .group_by(R.c.formation_id)
        .subquery("selected")
    )
    filled = (
        select(P.c.formation_id, func.count().label("n"))
        .group_by(P.c.formation_id)
        .subquery("filled")
    )
    taken = func.coalesce(selected.c.n, 0) + func.coalesce(filled.c.n, 0)
    posts = (
        select(
            literal(0).label("kind"),
            F.c.position,
            F.c.education,
            F.c.category,
            F.c.id.label("formation_id"),
            F.c.code,
            (F.c.quota - taken).label("empty"),
            *_nulls(),
        )
        .outerjoin(selected, selected.c.formation_id == F.c.id)
        .outerjoin(filled, filled.c.formation_id == F.c.id)
        .where(F.c.year == year, F.c.quota > taken)
    )
    candidates = (
        select(
            literal(1),
            F.c.position,
            F.c.education,
            F.c.category,
            R.c.formation_id,
            cast(null(), String(32)),
            cast(null(), Integer),
            R.c.application_id,
            R.c.final_score,
            *TIE_FACTS,
        )
        .join(F, F.c.id == R.c.formation_id)
        .join(A, A.c.id == R.c.application_id)
        .where(F.c.year == year, R.c.outcome == "NOT_SELECTED", ~appointed)
    )
    both = union_all(posts, candidates).subquery("stream")
    return select(both).order_by(both.c.position, both.c.education, both.c.kind)


def _nulls():
    """The candidate columns of a post's row, typed so that the union reads them as such."""
    types = {
        "application_id": BigInteger,
        "final_score": Numeric(6, 3),
        "twk": Integer,
        "tiu": Integer,
        "tkp": Integer,
        "gpa": Numeric(3, 2),
        "birth_date": Date,
        "registration_number": String(32),
    }
    return [cast(null(), kind).label(name) for name, kind in types.items()]
