"""Training's long operations as jobs: the annual plan of a year (a MILP over the province).

A province's plan (5,000 staff, 8,000 needs, 300 sessions) solves in a few seconds; a bigger
one, or a busy machine, can take longer than the gateway waits. `POST /plans?async=true` (or a
year with more than `JOB_NEEDS` open needs) answers 202 with the job's URL and the worker solves
it with the same workflow, reporting its phases; the job's result is the plan as the
synchronous call answers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chassis.jobs import JobHandler, JobInput, Jobs, Progress
from chassis.uow import UnitOfWork
from services.training import models, plans
from services.training.models import TrainingNeed
from services.training.schemas_courses import PlanSchema

SOLVE_PLAN = "training.plan"
# Above this many open needs in the year, a plan is solved as a job.
JOB_NEEDS = 20_000


def plan_job(session: Session, year: int, asked: bool) -> bool:
    """Whether the year's plan is solved as a job: asked for, or more than JOB_NEEDS needs."""
    if asked:
        return True
    count = (
        select(func.count())
        .select_from(TrainingNeed)
        .where(TrainingNeed.year == year, TrainingNeed.status == "OPEN")
    )
    return (session.scalar(count) or 0) > JOB_NEEDS


def solve_plan(uow: UnitOfWork, work: JobInput, progress: Progress) -> Mapping[str, Any]:
    """Solve and store the year's DRAFT plan within the budget."""
    params = work.params
    progress("reading needs and sessions", 0, 100)

    def report(fraction: float, phase: str) -> None:
        progress(phase, round(fraction * 100), 100)

    plan = plans.solve_plan(
        uow, int(params["year"]), int(params["budget"]), str(params["method"]), progress=report
    )
    progress("solved", 100, 100)
    return PlanSchema().dump(plan)


HANDLERS: dict[str, JobHandler] = {SOLVE_PLAN: solve_plan}
JOBS = Jobs(models.jobs, HANDLERS)
