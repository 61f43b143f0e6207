"""A recruitment worker with one extra, slow job kind and a short lease (run as a process).

    DATABASE_URL=... AMQP_URL=... python -m tests.integration.job_worker

The real worker (`chassis.worker.run_worker`: relay, consumer, job runner) of the recruitment
spec, whose jobs also include `test.slow`: `steps` steps of `pause` seconds, each adding one
audit row in the job's transaction and reporting its progress. The lease is 2 s, so that a
test that kills this process sees the job taken over within seconds.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import UTC, datetime

from chassis.config import Settings
from chassis.worker import run_worker
from services.recruitment.app import SPEC
from services.recruitment.selection.models import AuditEntry

LEASE_SECONDS = 2.0


def slow(uow, work, progress):
    """Steps of work, each one audit row (entity `job-test`), committed with the outcome."""
    steps, pause = int(work.params["steps"]), float(work.params["pause"])
    for step in range(1, steps + 1):
        uow.session.add(
            AuditEntry(
                entity="job-test",
                entity_id=work.params["tag"],
                field=f"step-{step}",
                actor=uow.actor_name,
                at=datetime.now(UTC),
            )
        )
        uow.session.flush()
        progress("stepping", step, steps)
        time.sleep(pause)
    return {"steps": steps}


def main() -> int:
    jobs = replace(SPEC.jobs, handlers={**SPEC.jobs.handlers, "test.slow": slow})
    spec = replace(SPEC, jobs=jobs)
    return run_worker(spec, Settings.from_env("recruitment"), job_lease_seconds=LEASE_SECONDS)


if __name__ == "__main__":
    sys.exit(main())
