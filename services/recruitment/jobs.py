"""Recruitment's long operations as jobs, and the rule that decides when a call becomes one.

National selection work takes longer than the gateway waits for an answer (ranking a year of
3.57 M applications about 21-52 s, optimisation tens of seconds), a province's a fraction of a
second. So each of these calls stays synchronous (200/201, as before) unless the caller asks
for a job (`?async=true`) or the work is above its size: a year with more than
`JOB_APPLICATIONS` applications (rank, optimise, appoint), a roster file over `JOB_IMPORT_BYTES`.
Then the view answers 202 with the job's URL and the worker runs the same workflow.

Each handler returns what the synchronous call would have answered (dumped by its schema), and
raises what it would have refused with (the job's error then carries the same code and message).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select

from chassis.jobs import JobHandler, JobInput, Jobs, Progress
from chassis.uow import UnitOfWork
from services.recruitment import models, roster_import
from services.recruitment.schemas import ImportResultSchema
from services.recruitment.selection import appointments, results
from services.recruitment.selection import schemas as s
from services.recruitment.selection.models import Application, Formation

# Above this many applications in a year, rank/optimise/appoint run as a job (a province has a
# few thousand: 5,000 rank in 0.06 s; a national year 3.57 M).
JOB_APPLICATIONS = 20_000
# Above this size a roster import runs as a job (about 20,000 rows; a province's 100,000-row
# roster, about 9 MB, takes about 12 s).
JOB_IMPORT_BYTES = 2 * 1024 * 1024

RANK_YEAR = "selection.rank-year"
OPTIMISE = "selection.optimise"
APPOINT = "selection.appoint"
IMPORT_ROSTER = "roster.import"


def applications_of_year(session, year: int) -> int:
    """How many applications the formations of `year` have (decides job or not)."""
    return session.scalar(
        select(func.count())
        .select_from(Application)
        .join(Formation, Formation.id == Application.formation_id)
        .where(Formation.year == year)
    )


def year_job(session, year: int, asked: bool) -> bool:
    """Whether a year's rank/optimise/appoint runs as a job: asked for, or a national year."""
    return asked or applications_of_year(session, year) > JOB_APPLICATIONS


def import_job(payload: bytes, asked: bool) -> bool:
    """Whether a roster import runs as a job: asked for, or a file over JOB_IMPORT_BYTES."""
    return asked or len(payload) > JOB_IMPORT_BYTES


def import_params(payload: bytes, dry_run: bool) -> dict[str, Any]:
    """A roster import job's parameters: the file's size and digest stand for the file."""
    return {
        "dry_run": dry_run,
        "bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


def rank_year(uow: UnitOfWork, work: JobInput, progress: Progress) -> Mapping[str, Any]:
    """Rank every formation of a year not announced yet (one pass in the database)."""
    year = int(work.params["year"])
    progress("ranking the year's formations in the database", 0, 1)
    summary = results.rank_year(uow, year)
    progress("ranked", 1, 1)
    return s.RankSummarySchema().dump(summary)


def optimise(uow: UnitOfWork, work: JobInput, progress: Progress) -> Mapping[str, Any]:
    """Fill the empty posts of a year after the appeals."""
    progress("filling empty posts", 0, 1)
    optimised = appointments.optimise(uow, int(work.params["year"]))
    progress("filled", 1, 1)
    return s.OptimisedSchema().dump(optimised)


def appoint(uow: UnitOfWork, work: JobInput, progress: Progress) -> Mapping[str, Any]:
    """Appoint the selected and optimised applicants of a year as CPNS."""
    year = int(work.params["year"])
    tmt = date.fromisoformat(work.params["tmt_cpns"])
    progress("appointing", 0, 1)
    appointed = appointments.appoint(uow, year, tmt)
    progress("appointed", 1, 1)
    return s.AppointmentsSchema().dump(appointed)


def import_roster(uow: UnitOfWork, work: JobInput, progress: Progress) -> Mapping[str, Any]:
    """Check and import a roster CSV, all rows or none."""
    if work.payload is None:
        raise ValueError("a roster import job without its file")
    progress("checking and storing the rows", 0, 1)
    result = roster_import.import_employees(uow, work.payload, dry_run=bool(work.params["dry_run"]))
    progress("imported", 1, 1)
    return ImportResultSchema().dump(result)


HANDLERS: dict[str, JobHandler] = {
    RANK_YEAR: rank_year,
    OPTIMISE: optimise,
    APPOINT: appoint,
    IMPORT_ROSTER: import_roster,
}
JOBS = Jobs(models.jobs, HANDLERS)
