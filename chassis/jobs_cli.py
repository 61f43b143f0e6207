"""`sofifi job ...`: start a service's long operation from the console and follow it.

The commands read and write the service's own database (as `sofifi migrate` does), so they run
where an operator runs the platform; the service's worker does the work. A started job's actor
is `system:cli:<login>` with the admin role; following draws a progress bar (click) from the
job's done/total and phase until it succeeds or fails.

The group is made by `job_group(load_spec, service_names)`: the wiring hands it the services,
so the chassis imports none.
"""

from __future__ import annotations

import getpass
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from chassis import jobs
from chassis.config import Settings
from chassis.db import make_engine
from chassis.principal import system_actor
from chassis.uow import unit_of_work

POLL_SECONDS = 0.5


def read_job(engine: Engine, table, job_id: str) -> dict[str, Any] | None:
    """A job's row without its payload; None when there is no such job."""
    columns = [column for column in table.c if column.name != "payload"]
    with engine.connect() as connection:
        found = connection.execute(select(*columns).where(table.c.id == job_id)).first()
    return dict(found._mapping) if found is not None else None


def follow(
    engine: Engine, table, job_id: str, poll: float = POLL_SECONDS, timeout: float | None = None
) -> dict[str, Any]:
    """Poll a job until it ends, drawing a progress bar on stderr; returns its last row."""
    deadline = None if timeout is None else time.monotonic() + timeout
    row = read_job(engine, table, job_id)
    if row is None:
        raise click.ClickException(f"there is no job {job_id}")
    with click.progressbar(
        length=max(row["total"], 1), label=row["phase"], show_pos=True, file=sys.stderr
    ) as bar:
        while True:
            bar.length = max(row["total"], 1)
            bar.label = f"{row['state'].lower()}: {row['phase']}"
            bar.update(row["done"] - bar.pos)
            if row["state"] in (jobs.SUCCEEDED, jobs.FAILED):
                return row
            if deadline is not None and time.monotonic() > deadline:
                raise click.ClickException(f"job {job_id} still {row['state']} after the timeout")
            time.sleep(poll)
            row = read_job(engine, table, job_id) or row


def parse_params(pairs: Iterable[str]) -> dict[str, Any]:
    """`name=value` pairs; a value that reads as JSON (numbers, true, lists) is taken as such."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, equals, text = pair.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"{pair!r} is not name=value", param_hint="--param")
        try:
            params[name] = json.loads(text)
        except json.JSONDecodeError:
            params[name] = text
    return params


def _outcome(row: dict[str, Any]) -> None:
    click.echo(json.dumps({k: row[k] for k in ("id", "state", "result", "error")}, default=str))
    if row["state"] == jobs.FAILED:
        sys.exit(1)


def job_group(load_spec: Callable[[str], Any], service_names: Iterable[str]) -> click.Group:
    """The `job` command group over these services."""
    names = click.Choice(list(service_names))

    @click.group("job")
    def group() -> None:
        """Long operations run by a service's worker (jobs)."""

    def _jobs_of(service: str) -> tuple[Engine, Any]:
        spec = load_spec(service)
        if spec.jobs is None:
            raise click.ClickException(f"{service} has no jobs")
        return make_engine(Settings.from_env(service).database_url), spec.jobs

    @group.command("start")
    @click.argument("service", type=names)
    @click.argument("kind")
    @click.option("--param", "pairs", multiple=True, help="name=value (repeatable).")
    @click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--wait/--no-wait", default=True, help="Follow it with a progress bar.")
    def start(service: str, kind: str, pairs: tuple[str, ...], path: Path | None, wait: bool):
        """Queue a KIND job of SERVICE (e.g. recruitment selection.rank-year --param year=2024)."""
        engine, spec_jobs = _jobs_of(service)
        if kind not in spec_jobs.handlers:
            known = ", ".join(sorted(spec_jobs.handlers))
            raise click.BadParameter(f"{service} runs {known}", param_hint="KIND")
        actor = system_actor(f"cli:{getpass.getuser()}")
        payload = path.read_bytes() if path is not None else None
        with unit_of_work(sessionmaker(engine), None, actor) as uow:
            row, _ = jobs.submit(
                uow, spec_jobs.table, kind, parse_params(pairs), ("admin",), payload=payload
            )
        click.echo(f"job {row['id']} queued", err=True)
        if wait:
            _outcome(follow(engine, spec_jobs.table, row["id"]))
        else:
            click.echo(row["id"])

    @group.command("follow")
    @click.argument("service", type=names)
    @click.argument("job_id")
    def follow_command(service: str, job_id: str) -> None:
        """Follow a job of SERVICE with a progress bar until it ends; print its outcome."""
        engine, spec_jobs = _jobs_of(service)
        _outcome(follow(engine, spec_jobs.table, job_id))

    return group
