"""Jobs through recruitment's HTTP API: 202 and the job's URL, progress, result, error,
idempotency keys, access, and the lease (a lost worker's job taken over or failed).

The worker's job runner is the real one (`chassis.jobrunner.JobRunner`), driven one job at a
time with `run_once()` so each step can be looked at.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from chassis import jobs
from chassis.jobrunner import JobRunner
from chassis.uow import unit_of_work
from services.recruitment.jobs import JOBS
from tests.service.roster_support import csv_row, csv_text, post_csv
from tests.service.selection_support import YEAR, Selection

SCORES = {1: (100, 110, 180, 80), 2: (90, 100, 170, 70), 3: (80, 95, 170, 60)}


def runner(service, lease: float = 30.0, handlers=None, **kwargs) -> JobRunner:
    """The job runner of the service's worker, on the service's database."""
    spec_jobs = replace(JOBS, handlers=handlers) if handlers else JOBS
    return JobRunner(service.engine, spec_jobs, service.spec.outbox, lease_seconds=lease, **kwargs)


def job_of(selection, url: str, role: str = "admin"):
    return selection.call("get", url, role=role)


def started_year(selection) -> int:
    formation = selection.formation()
    selection.prepared(formation["id"], SCORES)
    return formation["id"]


def test_a_ranking_started_as_a_job_answers_202_and_is_followed_to_its_result(
    selection, recruitment
):
    formation_id = started_year(selection)

    started = selection.call("post", f"/selection/{YEAR}/rank?async=true", role="recruiter")

    assert started.status_code == 202
    job = started.json
    assert started.headers["Location"] == job["url"] == f"/jobs/{job['id']}"
    assert (job["state"], job["kind"], job["params"]) == (
        "QUEUED",
        "selection.rank-year",
        {"year": YEAR},
    )
    assert job_of(selection, job["url"]).json["state"] == "QUEUED"
    assert selection.ranking(formation_id) == {}  # nothing ranked until the worker runs it

    assert runner(recruitment).run_once() is True

    done = job_of(selection, job["url"], role="recruiter").json
    assert done["state"] == "SUCCEEDED"
    assert done["progress"] == {"done": 1, "total": 1}
    assert done["result"] == {"formations": 1, "outcomes": {"NOT_SELECTED": 2, "SELECTED": 1}}
    assert done["error"] is None and done["attempts"] == 1 and done["finished_at"]
    assert done["started_by"] == "recruiter-user"
    assert selection.ranking(formation_id)["REG-00001"]["outcome"] == "SELECTED"
    # The same call without the flag keeps its synchronous answer.
    again = selection.call("post", f"/selection/{YEAR}/rank", role="recruiter")
    assert again.status_code == 200 and again.json == done["result"]
    assert runner(recruitment).run_once() is False


def test_a_refused_operation_ends_the_job_with_the_error_the_call_would_give(
    selection, recruitment
):
    started = selection.call("post", "/selection/2031/rank?async=true")

    runner(recruitment).run_once()

    job = job_of(selection, started.json["url"]).json
    assert job["state"] == "FAILED"
    assert job["error"] == {"code": 409, "message": "No formation of 2031 is waiting to be ranked."}
    assert job["result"] is None


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_same_idempotency_key_never_starts_a_job_twice(backend, make_service, keys, request):
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    recruitment = make_service("recruitment", url)
    selection = Selection(recruitment, keys)
    headers = {**selection.headers("admin"), "Idempotency-Key": "rank-2024-first"}
    client = recruitment.client

    first = client.post(f"/selection/{YEAR}/rank?async=true", headers=headers)
    second = client.post(f"/selection/{YEAR}/rank?async=true", headers=headers)
    other = client.post("/selection/2025/rank?async=true", headers=headers)
    another_user = client.post(
        f"/selection/{YEAR}/rank?async=true",
        headers={**selection.headers("recruiter"), "Idempotency-Key": "rank-2024-first"},
    )

    assert first.status_code == second.status_code == 202
    assert second.json == first.json and second.headers["Location"] == first.headers["Location"]
    assert other.status_code == 409  # the key already stands for another request
    assert other.json["errors"]["job"] == first.json["id"]
    assert another_user.status_code == 202 and another_user.json["id"] != first.json["id"]
    assert recruitment.count("jobs") == 2
    bad = client.post(
        f"/selection/{YEAR}/rank?async=true", headers={**headers, "Idempotency-Key": "a b"}
    )
    assert bad.status_code == 422


def test_only_the_roles_that_may_start_it_read_a_job(selection, recruitment):
    rank = selection.call("post", f"/selection/{YEAR}/rank?async=true", role="recruiter").json
    optimise = selection.call("post", f"/selection/{YEAR}/optimise?async=true").json

    assert job_of(selection, rank["url"], role="admin").status_code == 200
    assert job_of(selection, rank["url"], role="employee").status_code == 403
    assert job_of(selection, optimise["url"], role="recruiter").status_code == 403
    assert job_of(selection, optimise["url"], role=None).status_code == 401
    unknown = job_of(selection, "/jobs/0123456789abcdef0123456789abcdef")
    assert unknown.status_code == 404 and unknown.json["code"] == 404
    # Starting needs the operation's role, as the synchronous call does.
    refused = selection.call("post", f"/selection/{YEAR}/optimise?async=true", role="recruiter")
    assert refused.status_code == 403


def test_a_roster_import_runs_as_a_job_as_the_admin_who_started_it(
    recruitment, keys, employee_events
):
    rows = [csv_row(employee_events, n) for n in range(1, 4)]
    admin = keys.headers("admin", subject="ani")
    started = recruitment.client.post(
        "/employees/import?async=true",
        data=csv_text(rows).encode(),
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert started.status_code == 202
    assert started.json["params"]["bytes"] == len(csv_text(rows).encode())
    assert "payload" not in started.json

    runner(recruitment).run_once()

    job = recruitment.client.get(started.json["url"], headers=admin).json
    assert job["state"] == "SUCCEEDED", job
    assert job["result"]["imported"] == job["result"]["events"] == 3
    assert recruitment.count("employees") == 3
    assert len(recruitment.outbox_events()) == 3
    # A file over the size rule becomes a job without the flag; a small one stays synchronous.
    small = post_csv(recruitment, admin, csv_text([csv_row(employee_events, 9)]), dry_run=True)
    assert small.status_code == 200


def test_a_big_roster_file_becomes_a_job(recruitment, keys, employee_events, monkeypatch):
    from services.recruitment import jobs as recruitment_jobs

    monkeypatch.setattr(recruitment_jobs, "JOB_IMPORT_BYTES", 100)
    rows = [csv_row(employee_events, n) for n in range(1, 4)]
    response = post_csv(recruitment, keys.headers("admin"), csv_text(rows))
    assert response.status_code == 202


def test_the_work_runs_as_the_user_who_started_it_with_live_progress_on_postgres(
    make_service, postgres_url, keys
):
    recruitment = make_service("recruitment", postgres_url)
    release, seen = threading.Event(), {}

    def slow(uow, work, progress):
        seen["actor"] = uow.actor
        for step in range(1, 4):
            progress("counting", step, 10)
        assert release.wait(30)
        return {"counted": work.params["n"]}

    worker = runner(recruitment, handlers={"test.slow": slow})
    job_id = submit(recruitment, "test.slow", {"n": 10}, keys)
    thread = threading.Thread(target=worker.run_once)
    thread.start()
    try:
        wait_until(lambda: read(recruitment, job_id)["done"] == 3)
        response = recruitment.client.get(f"/jobs/{job_id}", headers=keys.headers("admin"))
        assert response.json["state"] == "RUNNING"
        assert response.json["phase"] == "counting"
        assert response.json["progress"] == {"done": 3, "total": 10}
    finally:
        release.set()
        thread.join(30)
    assert read(recruitment, job_id)["state"] == "SUCCEEDED"
    assert seen["actor"].username == "ani" and seen["actor"].roles == ("admin",)


def test_a_job_whose_worker_was_lost_is_taken_over_then_failed_with_the_reason(
    make_service, postgres_url, keys
):
    recruitment = make_service("recruitment", postgres_url)
    done = []

    def work(uow, _work, _progress):
        done.append(uow.actor.username)
        return {"ok": True}

    handlers = {"test.work": work}
    job_id = submit(recruitment, "test.work", {}, keys)
    lost = runner(recruitment, lease=0.3, handlers=handlers, owner="lost-worker")
    claim = lost.claim()  # ... and its process dies before it runs the job
    assert read(recruitment, job_id)["state"] == "RUNNING"
    assert runner(recruitment, handlers=handlers).claim() is None  # the lease still holds

    time.sleep(0.5)
    taking_over = runner(recruitment, lease=0.3, handlers=handlers, owner="second-worker")
    second = taking_over.claim()
    assert second is not None and second.attempt == 2
    assert read(recruitment, job_id)["phase"] == "resumed (attempt 2) after a lost worker"
    lost.execute(claim)  # the first worker wakes up: fenced off, its work rolled back
    assert read(recruitment, job_id)["state"] == "RUNNING"

    time.sleep(0.5)  # the second worker is lost too
    assert runner(recruitment, handlers=handlers).run_once() is False
    failed = read(recruitment, job_id)
    assert failed["state"] == "FAILED" and failed["lease_owner"] is None
    assert failed["error"]["message"].startswith("The worker running attempt 2 stopped")
    assert "gave up after 2 attempts" in failed["error"]["message"]
    assert done == ["ani"]  # the fenced attempt ran but committed nothing


@pytest.mark.postgres
def test_an_idle_runner_on_postgres_is_woken_by_the_commit_that_queues_a_job(
    make_service, postgres_url, keys
):
    recruitment = make_service("recruitment", postgres_url)
    ran = threading.Event()

    def work(_uow, _work, _progress):
        ran.set()
        return {"ok": True}

    # Its polls are a minute apart: only the NOTIFY of the job's commit can wake it in time.
    worker = runner(recruitment, handlers={"test.work": work}, poll_interval=60, idle_interval=60)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        time.sleep(1.0)  # it has looked, found nothing, and waits
        queued = time.monotonic()
        job_id = submit(recruitment, "test.work", {}, keys)
        assert ran.wait(15), "the idle runner was not woken"
        assert time.monotonic() - queued < 15
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive()
    wait_until(lambda: read(recruitment, job_id)["state"] == "SUCCEEDED")


def submit(service, kind: str, params: dict, keys) -> str:
    """Queue a job directly, as a view would, started by admin `ani`."""
    from chassis.principal import Principal

    factory = service.app.extensions["db"].session_factory
    actor = Principal("ani", ("admin",))
    with unit_of_work(factory, service.spec.outbox, actor) as uow:
        row, _ = jobs.submit(uow, service.spec.jobs.table, kind, params, ("admin",))
    return row["id"]


def read(service, job_id: str) -> dict:
    table = service.spec.jobs.table
    with service.engine.connect() as connection:
        return dict(connection.execute(select(table).where(table.c.id == job_id)).one()._mapping)


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.02)


def test_the_console_starts_a_job_and_follows_it_with_a_progress_bar(
    selection, recruitment, monkeypatch
):
    from click.testing import CliRunner

    from sofifi.cli import main

    started_year(selection)
    monkeypatch.setenv("DATABASE_URL", recruitment.database_url)
    cli = CliRunner()
    queued = cli.invoke(
        main,
        ["job", "start", "recruitment", "selection.rank-year", "--param", "year=2024", "--no-wait"],
    )
    assert queued.exit_code == 0, queued.output
    job_id = queued.stdout.strip().splitlines()[-1]
    assert read(recruitment, job_id)["actor"]["username"].startswith("system:cli:")

    runner(recruitment).run_once()
    followed = cli.invoke(main, ["job", "follow", "recruitment", job_id])

    assert followed.exit_code == 0, followed.output
    outcome = json.loads(followed.stdout.strip().splitlines()[-1])
    assert outcome["state"] == "SUCCEEDED" and outcome["result"]["formations"] == 1
    assert "succeeded: done" in followed.stderr  # the bar itself is drawn on a terminal only
    unknown = cli.invoke(main, ["job", "start", "recruitment", "no.such-kind"])
    assert unknown.exit_code == 2
