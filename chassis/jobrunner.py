"""The job runner of a service's worker: claims queued jobs, runs them, keeps their lease.

It is a thread of its own in the worker (beside the relay and the consumer, which it never
holds up). Claiming is `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so that several
workers take different jobs, then a compare-and-set UPDATE (state and attempt as read), which
is also what makes it safe on SQLite, where a process lock keeps the runner's own threads apart.

A claimed job carries a lease (owner, expiry). While the handler works, a heartbeat renews it
every third of its length and each progress report renews it too. The outcome is written in
the handler's own transaction, fenced by the lease: a runner that lost its lease (it stalled
past the expiry and another took the job over) rolls its work back instead of committing it.
A job whose lease expired is taken over by the next runner that looks (a new attempt from the
start: an interrupted attempt committed nothing), or failed with the reason after MAX_ATTEMPTS.

An idle runner waits for work: on PostgreSQL it LISTENs on `jobs.CHANNEL`, on which a job's
insert sends a NOTIFY that its commit delivers, and looks at the table at once when woken; a
look every `idle_interval` (and at most every lease length) is the fallback, and what finds a
job whose worker was lost. On SQLite it looks every `poll_interval` (a read-only query).

On SQLite the work's transaction holds the database's one write lock from its first statement,
so progress and heartbeats cannot be written beside it while a job runs there: the progress
is written in the work's own transaction and shows when the job ends (SQLite serves a
province, whose jobs take well under a second; PostgreSQL, for national work, shows the
progress live).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from chassis import jobs
from chassis.logs import correlation_scope
from chassis.outbox import Outbox
from chassis.uow import unit_of_work
from chassis.wakeup import Listen, Wakeup

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another runner took this job over: this attempt's work must not commit."""


@dataclass(frozen=True)
class Claim:
    """A job this runner holds: its row as claimed and the attempt it runs."""

    row: Mapping[str, Any]
    attempt: int

    @property
    def id(self) -> str:
        return self.row["id"]


class Poll:
    """Waits one poll interval between looks (SQLite: a look is a cheap read-only query)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval

    def idle(self, stop: threading.Event) -> bool:
        """Wait one interval (or until `stop`); never a sign of a job."""
        stop.wait(self.interval)
        return False

    def busy(self) -> None:
        """Nothing to reset."""

    def close(self) -> None:
        """Nothing held."""


class JobRunner:
    """Runs a service's jobs one at a time, in a thread of the worker."""

    def __init__(
        self,
        engine: Engine,
        spec_jobs: jobs.Jobs,
        outbox: Outbox | None,
        *,
        lease_seconds: float = jobs.LEASE_SECONDS,
        poll_interval: float = 1.0,
        idle_interval: float = 10.0,
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.table = spec_jobs.table
        self.handlers = spec_jobs.handlers
        self.outbox = outbox
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_interval = poll_interval
        # Woken by NOTIFY, it still looks now and then: a lost worker's lease expires unseen.
        self.idle_interval = min(idle_interval, lease_seconds)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.factory = sessionmaker(engine, expire_on_commit=False)
        self.live = engine.dialect.name == "postgresql"  # progress and heartbeats while working
        self._claim_lock = threading.Lock()

    def run(self, stop: threading.Event) -> None:
        """Take and run jobs until `stop` is set (the worker's thread target)."""
        wakeup = self.wakeup()  # before the first look: a job queued after it wakes the runner
        try:
            while not stop.is_set():
                try:
                    worked = self.run_once()
                except Exception:
                    log.exception("job runner failed; retrying")
                    worked = False
                if not worked:
                    wakeup.idle(stop)
        finally:
            wakeup.close()

    def wakeup(self) -> Wakeup:
        """How the idle runner waits: LISTEN on PostgreSQL, a plain poll elsewhere."""
        if self.live:
            return Listen(
                self.engine, "jobs", self.poll_interval, self.idle_interval, on=jobs.CHANNEL
            )
        return Poll(self.poll_interval)

    def run_once(self) -> bool:
        """Claim one job and run it; False when none was waiting."""
        claim = self.claim()
        if claim is None:
            return False
        self.execute(claim)
        return True

    # -- claiming ------------------------------------------------------------------------------

    def claim(self) -> Claim | None:
        """The oldest queued job, or one whose worker was lost; None when there is none."""
        if not self._anything_waiting():
            return None
        with self._claim_lock:
            while True:
                with self.engine.begin() as connection:
                    row = self._candidate(connection)
                    if row is None:
                        return None
                    if row["state"] == jobs.RUNNING and row["attempts"] >= jobs.MAX_ATTEMPTS:
                        self._give_up(connection, row)
                        continue
                    claim = self._take(connection, row)
                    if claim is not None:
                        return claim

    def _anything_waiting(self) -> bool:
        """A read-only look first: an idle runner never takes SQLite's write lock to poll."""
        t = self.table
        with self.engine.connect() as connection:
            connection = connection.execution_options(sqlite_deferred=1)
            return connection.scalar(select(t.c.id).where(self._waiting()).limit(1)) is not None

    def _waiting(self):
        t = self.table
        return or_(
            t.c.state == jobs.QUEUED,
            and_(t.c.state == jobs.RUNNING, t.c.lease_expires_at < jobs.now()),
        )

    def _candidate(self, connection) -> dict[str, Any] | None:
        t = self.table
        found = connection.execute(
            select(*[column for column in t.c if column.name != "payload"])
            .where(self._waiting())
            .order_by(t.c.created_at, t.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        return dict(found._mapping) if found is not None else None

    def _as_read(self, row: Mapping[str, Any]):
        t = self.table
        return and_(t.c.id == row["id"], t.c.state == row["state"], t.c.attempts == row["attempts"])

    def _take(self, connection, row: Mapping[str, Any]) -> Claim | None:
        attempt = row["attempts"] + 1
        lost = row["state"] == jobs.RUNNING
        moment = jobs.now()
        taken = connection.execute(
            update(self.table)
            .where(self._as_read(row))
            .values(
                state=jobs.RUNNING,
                attempts=attempt,
                lease_owner=self.owner,
                lease_expires_at=moment + self.lease,
                started_at=row["started_at"] or moment,
                phase=f"resumed (attempt {attempt}) after a lost worker" if lost else "started",
                done=0,
                total=0,
            )
        ).rowcount
        if taken != 1:
            return None
        if lost:
            log.warning(
                "job taken over from a lost worker",
                extra={"job": row["id"], "previous_owner": row["lease_owner"], "attempt": attempt},
            )
        return Claim({**row, "attempts": attempt}, attempt)

    def _give_up(self, connection, row: Mapping[str, Any]) -> None:
        reason = (
            f"The worker running attempt {row['attempts']} stopped before it finished (its lease "
            f"expired at {row['lease_expires_at']:%Y-%m-%d %H:%M:%S} UTC); gave up after "
            f"{row['attempts']} attempts."
        )
        connection.execute(
            update(self.table)
            .where(self._as_read(row))
            .values(
                state=jobs.FAILED,
                phase="failed",
                error={"code": 500, "message": reason},
                finished_at=jobs.now(),
                lease_owner=None,
                lease_expires_at=None,
            )
        )
        log.error("job failed: its worker was lost", extra={"job": row["id"], "reason": reason})

    # -- running -------------------------------------------------------------------------------

    def execute(self, claim: Claim) -> None:
        """Run a claimed job's handler; write its outcome with the work, fenced by the lease."""
        row = claim.row
        handler = self.handlers.get(row["kind"])
        heartbeat = threading.Event()
        if self.live:
            threading.Thread(
                target=self._heartbeat, args=(claim, heartbeat), daemon=True, name="job-lease"
            ).start()
        started = time.perf_counter()
        try:
            with correlation_scope(row["correlation_id"]):
                if handler is None:
                    raise LookupError(f"no handler for job kind {row['kind']!r}")
                self._work(claim, handler)
            log.info(
                "job succeeded",
                extra={
                    "job": claim.id,
                    "kind": row["kind"],
                    "seconds": time.perf_counter() - started,
                },
            )
        except LeaseLost:
            log.warning("job attempt abandoned: lease lost", extra={"job": claim.id})
        except Exception as exc:
            error = jobs.error_of(exc)
            if error["code"] >= 500:
                log.exception("job failed", extra={"job": claim.id, "kind": row["kind"]})
            try:
                with self.factory.begin() as session:
                    self._finish(session, claim, jobs.FAILED, error=error)
            except LeaseLost:
                log.warning("job failure not recorded: lease lost", extra={"job": claim.id})
        finally:
            heartbeat.set()

    def _work(self, claim: Claim, handler: jobs.JobHandler) -> None:
        row = claim.row
        actor = jobs.principal_of(row)
        with unit_of_work(self.factory, self.outbox, actor, row["correlation_id"]) as uow:
            payload = uow.session.scalar(
                select(self.table.c.payload).where(self.table.c.id == claim.id)
            )
            work = jobs.JobInput(row["params"], payload)
            result = handler(uow, work, self._progress(claim, uow.session))
            self._finish(uow.session, claim, jobs.SUCCEEDED, result=dict(result))

    def _finish(self, session: Session, claim: Claim, state: str, **outcome: Any) -> None:
        values: dict[str, Any] = {"phase": "done" if state == jobs.SUCCEEDED else "failed"}
        if state == jobs.SUCCEEDED:
            values["done"] = self.table.c.total
        written = session.execute(
            update(self.table)
            .where(self._held(claim))
            .values(
                state=state,
                finished_at=jobs.now(),
                lease_owner=None,
                lease_expires_at=None,
                **values,
                **outcome,
            )
        ).rowcount
        if written != 1:
            raise LeaseLost(claim.id)

    def _held(self, claim: Claim):
        t = self.table
        return and_(
            t.c.id == claim.id,
            t.c.state == jobs.RUNNING,
            t.c.lease_owner == self.owner,
            t.c.attempts == claim.attempt,
        )

    def _renew(self, claim: Claim, **values: Any) -> bool:
        with self.engine.begin() as connection:
            return bool(
                connection.execute(
                    update(self.table)
                    .where(self._held(claim))
                    .values(lease_expires_at=jobs.now() + self.lease, **values)
                ).rowcount
            )

    def _heartbeat(self, claim: Claim, stop: threading.Event) -> None:
        while not stop.wait(self.lease.total_seconds() / 3):
            try:
                if not self._renew(claim):
                    log.warning("job lease not renewed: taken over", extra={"job": claim.id})
                    return
            except Exception:
                log.exception("job lease renewal failed", extra={"job": claim.id})

    def _progress(self, claim: Claim, session: Session) -> jobs.Progress:
        """The job's progress reporter: each report is one short UPDATE (report per batch)."""

        def report(phase: str, done: int = 0, total: int = 0) -> None:
            values = {"phase": phase[:120], "done": done, "total": total}
            if not self.live:
                # SQLite: the work's transaction holds the write lock (see above), so the
                # progress goes with the work and shows when it commits.
                session.execute(update(self.table).where(self._held(claim)).values(values))
                return
            try:
                self._renew(claim, **values)
            except Exception:
                log.exception("job progress not written", extra={"job": claim.id})

        return report
