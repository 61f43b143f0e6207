"""A worker killed (SIGKILL) in the middle of a job: the next worker resumes it, or fails it
with the reason once its attempts are spent. Real worker processes, the real broker and
PostgreSQL; the job's work (audit rows) commits exactly once or not at all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from chassis import jobs
from chassis.db import make_engine
from chassis.migrations import upgrade
from chassis.principal import Principal
from chassis.uow import unit_of_work
from services.recruitment.app import SPEC
from services.recruitment.selection.models import AuditEntry

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TABLE = SPEC.jobs.table


@pytest.fixture
def database(postgres_url: str):
    upgrade(SPEC.migrations_dir, postgres_url)
    engine = make_engine(postgres_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def start_worker(postgres_url: str, amqp_url: str, tmp_path: Path):
    """Start `python -m tests.integration.job_worker`; every process is killed at teardown."""
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": postgres_url,
            "AMQP_URL": amqp_url,
            "SOFIFI_VAR_DIR": str(tmp_path / "var"),
        }
        log = (tmp_path / f"worker-{len(started)}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.job_worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def submit(engine, steps: int, tag: str) -> str:
    factory = sessionmaker(engine)
    actor = Principal("ani", ("admin",))
    with unit_of_work(factory, SPEC.outbox, actor) as uow:
        params = {"steps": steps, "pause": 0.1, "tag": tag}
        row, _ = jobs.submit(uow, TABLE, "test.slow", params, ("admin",))
    return row["id"]


def job(engine, job_id: str) -> dict:
    with engine.connect() as connection:
        return dict(connection.execute(select(TABLE).where(TABLE.c.id == job_id)).one()._mapping)


def audit_rows(engine, tag: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity_id == tag)
        )


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def kill_mid_job(engine, job_id: str, process: subprocess.Popen, attempt: int) -> None:
    """Wait until the job's attempt is a third of the way through, then SIGKILL its worker."""
    wait_for(lambda: (row := job(engine, job_id))["attempts"] == attempt and row["done"] >= 10)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    stuck = job(engine, job_id)
    assert stuck["state"] == "RUNNING" and stuck["done"] < stuck["total"] == 30


def test_a_job_whose_worker_is_killed_is_resumed_by_the_next_worker(database, start_worker):
    job_id = submit(database, steps=30, tag="resumed")
    kill_mid_job(database, job_id, start_worker(), attempt=1)
    assert audit_rows(database, "resumed") == 0  # the killed attempt committed nothing

    start_worker()
    wait_for(lambda: job(database, job_id)["state"] == "SUCCEEDED")

    done = job(database, job_id)
    assert done["attempts"] == 2
    assert done["result"] == {"steps": 30}
    assert (done["done"], done["total"], done["lease_owner"]) == (30, 30, None)
    assert audit_rows(database, "resumed") == 30  # the work done once, by the second attempt


def test_a_job_killed_on_every_attempt_is_failed_with_the_reason(database, start_worker):
    job_id = submit(database, steps=30, tag="failed")
    kill_mid_job(database, job_id, start_worker(), attempt=1)
    kill_mid_job(database, job_id, start_worker(), attempt=2)

    start_worker()
    wait_for(lambda: job(database, job_id)["state"] == "FAILED")

    failed = job(database, job_id)
    assert failed["attempts"] == jobs.MAX_ATTEMPTS == 2
    assert failed["error"]["code"] == 500
    assert failed["error"]["message"].startswith("The worker running attempt 2 stopped")
    assert "lease expired" in failed["error"]["message"]
    assert failed["lease_owner"] is None and failed["finished_at"] is not None
    assert audit_rows(database, "failed") == 0
