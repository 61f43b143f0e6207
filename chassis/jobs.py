"""Jobs: long operations a request starts and a worker runs, followed through their URL.

A job is a row of the service's own `jobs` table. A view submits it (in its unit of work, so
the job exists only if the request commits) and answers 202 with the job's URL; the service's
worker claims it (`chassis.jobrunner`), runs its handler in a unit of work whose actor is the
user who started it, and writes the outcome in that same transaction. `GET /jobs/{id}` shows
the state, the phase, the progress (done/total), then the result or the error.

States: QUEUED -> RUNNING -> SUCCEEDED | FAILED. A RUNNING job holds a lease (owner, expiry)
that its runner renews; a job whose lease expired lost its worker: the next runner takes it
over (a new attempt, from the start: an attempt's work commits with its outcome or not at all)
or, after MAX_ATTEMPTS, fails it with the reason. Nothing stays RUNNING forever.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from chassis.db import UtcDateTime
from chassis.domain import ConflictError, DomainError, Invalid, NotAllowed, NotFoundError
from chassis.principal import Principal
from chassis.uow import UnitOfWork

QUEUED, RUNNING, SUCCEEDED, FAILED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED"
STATES = (QUEUED, RUNNING, SUCCEEDED, FAILED)
# Attempts of one job (the first and the takeovers after a lost worker) before it fails.
MAX_ATTEMPTS = 2
# How long a runner's claim on a job lasts without renewal; renewed every third of it.
LEASE_SECONDS = 30.0
# The PostgreSQL channel on which a queued job wakes the service's idle job runners (NOTIFY
# and LISTEN are per database, and each service has its own).
CHANNEL = "sofifi_jobs"
_NOTIFY = text("SELECT pg_notify(:channel, '')")


class Progress(Protocol):
    """What a handler reports while it works: a phase and done/total (written by the runner,
    one UPDATE a report: report per batch or phase, not per row)."""

    def __call__(self, phase: str, done: int = 0, total: int = 0) -> None:
        """Report the current phase and how far it is."""


@dataclass(frozen=True)
class JobInput:
    """What a handler works on: the job's parameters and its uploaded file, if any."""

    params: Mapping[str, Any]
    payload: bytes | None = None


# A handler does the work in the unit of work it is given and returns the job's result (JSON).
JobHandler = Callable[[UnitOfWork, JobInput, Progress], Mapping[str, Any]]


def jobs_table(metadata: MetaData) -> Table:
    """The `jobs` table in a service's own metadata."""
    table = Table(
        "jobs",
        metadata,
        Column("id", String(32), primary_key=True),
        Column("kind", String(64), nullable=False),
        Column("params", JSON, nullable=False),
        Column("payload", LargeBinary, nullable=True),  # an uploaded file: input, never shown
        Column("state", String(16), nullable=False),
        Column("phase", String(120), nullable=False),
        Column("done", Integer, nullable=False),
        Column("total", Integer, nullable=False),
        Column("result", JSON, nullable=True),
        Column("error", JSON, nullable=True),
        Column("readers", JSON, nullable=False),  # roles that may read it: those that may start it
        Column("actor", JSON, nullable=False),  # who started it: the actor its work runs as
        Column("idempotency_key", String(120), nullable=True),
        Column("correlation_id", String(64), nullable=True),
        Column("attempts", Integer, nullable=False),
        Column("lease_owner", String(64), nullable=True),
        Column("lease_expires_at", UtcDateTime(), nullable=True),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("started_at", UtcDateTime(), nullable=True),
        Column("finished_at", UtcDateTime(), nullable=True),
        Column("started_by", String(120), nullable=False),
        UniqueConstraint("idempotency_key", "started_by"),
    )
    Index("ix_jobs_state_created_at", table.c.state, table.c.created_at)
    return table


@dataclass(frozen=True)
class Jobs:
    """A service's job table and the handlers of its job kinds."""

    table: Table
    handlers: Mapping[str, JobHandler]


def now() -> datetime:
    """The current time (UTC); one place to read the clock."""
    return datetime.now(UTC)


def submit(
    uow: UnitOfWork,
    table: Table,
    kind: str,
    params: Mapping[str, Any],
    readers: Iterable[str],
    idempotency_key: str | None = None,
    payload: bytes | None = None,
) -> tuple[dict[str, Any], bool]:
    """Queue a job in the caller's unit of work; (its row, True) or the earlier one and False.

    The same idempotency key from the same user never starts a second job: the first one is
    returned (the same answer), or a conflict when the key was used for another request.
    """
    actor = uow.require_actor()
    params = json.loads(json.dumps(params, default=str))  # what the database will give back
    if idempotency_key:
        earlier = _by_key(uow, table, actor.username, idempotency_key)
        if earlier is not None:
            return _same_request(earlier, kind, params), False
    row = {
        "id": uuid.uuid4().hex,
        "kind": kind,
        "params": params,
        "payload": payload,
        "state": QUEUED,
        "phase": "queued",
        "done": 0,
        "total": 0,
        "readers": sorted(set(readers)),
        "actor": {
            "username": actor.username,
            "roles": list(actor.roles),
            "nip": actor.nip,
            "unit": actor.unit,
        },
        "started_by": actor.username,
        "idempotency_key": idempotency_key,
        "correlation_id": uow.correlation_id,
        "attempts": 0,
        "created_at": now(),
    }
    if not idempotency_key:
        uow.session.execute(table.insert().values(row))
        _wake_runners(uow)
        return row, True
    try:
        with uow.savepoint():
            uow.session.execute(table.insert().values(row))
    except IntegrityError:
        # Another request with the same key won the race: answer with its job.
        earlier = _by_key(uow, table, actor.username, idempotency_key)
        assert earlier is not None
        return _same_request(earlier, kind, params), False
    _wake_runners(uow)
    return row, True


def _wake_runners(uow: UnitOfWork) -> None:
    """NOTIFY the idle job runners (PostgreSQL): sent by the commit, dropped by a rollback."""
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(_NOTIFY, {"channel": CHANNEL})


def _by_key(uow: UnitOfWork, table: Table, username: str, key: str) -> dict[str, Any] | None:
    columns = [column for column in table.c if column.name != "payload"]
    found = uow.session.execute(
        select(*columns).where(table.c.started_by == username, table.c.idempotency_key == key)
    ).first()
    return dict(found._mapping) if found is not None else None


def _same_request(earlier: dict[str, Any], kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    if earlier["kind"] != kind or earlier["params"] != params:
        raise ConflictError(
            "This Idempotency-Key was already used for another request.",
            details={"job": earlier["id"], "kind": earlier["kind"]},
        )
    return earlier


def get(uow: UnitOfWork, table: Table, job_id: str) -> dict[str, Any]:
    """A job as the actor may see it: 404 when unknown, refused for a role that may not start it."""
    columns = [column for column in table.c if column.name != "payload"]
    found = uow.session.execute(select(*columns).where(table.c.id == job_id)).first()
    if found is None:
        raise NotFoundError(f"There is no job {job_id}.")
    row = dict(found._mapping)
    actor = uow.require_actor()
    if not actor.has_any(row["readers"]):
        raise NotAllowed("Only the roles that may start this operation may read its job.")
    return row


def view(row: Mapping[str, Any], url: str) -> dict[str, Any]:
    """The job document of the API."""
    return {
        "id": row["id"],
        "url": url,
        "kind": row["kind"],
        "params": row["params"],
        "state": row["state"],
        "phase": row["phase"],
        "progress": {"done": row["done"], "total": row["total"]},
        "result": row.get("result"),
        "error": row.get("error"),
        "attempts": row["attempts"],
        "started_by": row["started_by"],
        "created_at": row["created_at"],
        "started_at": row.get("started_at"),
        "finished_at": row.get("finished_at"),
    }


def principal_of(row: Mapping[str, Any]) -> Principal:
    """The user who started the job, as its work's actor."""
    actor = row["actor"]
    return Principal(actor["username"], tuple(actor["roles"]), actor.get("nip"), actor.get("unit"))


def error_of(exc: BaseException) -> dict[str, Any]:
    """The job's error document: the code and message the synchronous call would have given."""
    from chassis.errors import ApiError

    if isinstance(exc, ApiError):
        return _error(exc.code, exc.message, exc.errors)
    if isinstance(exc, Invalid):
        return _error(422, exc.message, {exc.location: exc.problems})
    if isinstance(exc, ConflictError):
        return _error(409, exc.message, exc.details)
    if isinstance(exc, NotFoundError):
        return _error(404, exc.message)
    if isinstance(exc, NotAllowed):
        return _error(403, exc.message)
    if isinstance(exc, DomainError):
        return _error(400, exc.message)
    return _error(500, "Internal error; the job id identifies it in the logs.")


def _error(code: int, message: str, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return body
