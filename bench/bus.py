"""Benchmark of the event bus on the real RabbitMQ and PostgreSQL; prints its figures as JSON.

In one run, on a fresh vhost and fresh databases:
- raw broker: plain py-amqp (kombu's transport) publishing persistent messages to a quorum
  queue with batched publisher confirms, then consuming them with manual acks; no database.
- pipeline: `appraisal.appraisal.finalized` events written to the appraisal outbox (PostgreSQL),
  published by the relay, consumed by two services (each its own worker process and database,
  inbox + an insert per event) - events/s from the first write to the last commit, and from a
  backlog already in the outbox.
- lag: events written one per transaction at a steady rate; occurred_at to the consumer's
  insert of the effect (inside the transaction that commits it), p50/p95/p99/max.
Targets (DESIGN.md section 6): pipeline >= 2,000 events/s; lag p99 < 250 ms at 200 events/s.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, func, select
from sqlalchemy.orm import Session

from bench._broker import raw_broker
from bench._env import about_machine, add_event_workload, fresh_database, fresh_vhost
from chassis.bus import Event
from chassis.config import Settings
from chassis.db import NAMING_CONVENTION, BigId, UtcDateTime, make_engine
from chassis.inbox import inbox_table
from chassis.logs import configure_logging
from chassis.outbox import Outbox, outbox_table
from chassis.service import ServiceSpec
from chassis.worker import Worker
from contracts import validate_event
from contracts.appraisal import BERAKHLAK_VALUES

FINALIZED = "appraisal.appraisal.finalized"
CONSUMERS = ("training", "awards")
TARGET_PIPELINE = 2000.0
TARGET_LAG_P99_MS = 250.0


# -- the services under test -----------------------------------------------------------------


def bench_tables() -> tuple[MetaData, Outbox, Table, Table]:
    """Outbox, inbox and an effects table (one row per handled event) of a bench service."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    outbox = Outbox(outbox_table(metadata), source="appraisal", validate=validate_event)
    effects = Table(
        "effects",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False),
        Column("appraisal_id", String(64), nullable=False),
        Column("occurred_at", UtcDateTime(), nullable=False),
        Column("handled_at", UtcDateTime(), nullable=False),
    )
    return metadata, outbox, inbox_table(metadata), effects


def bench_spec(service: str) -> ServiceSpec:
    """The publisher ("appraisal", relay only) or a consumer with a real insert per event."""
    metadata, outbox, inbox, effects = bench_tables()
    statement = effects.insert().values(handled_at=func.clock_timestamp())

    def handle_appraisal_finalized(session: Session, event: Event) -> None:
        """The effect: a row carrying when the event occurred and when it was handled."""
        session.execute(
            statement,
            {
                "event_id": event.event_id,
                "appraisal_id": event.data["appraisal_id"],
                "occurred_at": event.occurred,
            },
        )

    handlers = {} if service == "appraisal" else {FINALIZED: handle_appraisal_finalized}
    return ServiceSpec(
        name=service,
        title=f"bench {service}",
        metadata=metadata,
        outbox=outbox,
        inbox=inbox,
        migrations_dir=Path(__file__).parent,
        handlers=handlers,
        validate_event=validate_event,
    )


def finalized(n: int, prefix: str) -> dict[str, Any]:
    """The data of a valid finalized appraisal, numbered `n`."""
    return {
        "appraisal_id": f"{prefix}-{n}",
        "nip": "198001012010011001",
        "unit": "BKD",
        "appraiser_nip": "197502022001121002",
        "year": 2025,
        "period": "ANNUAL",
        "results_rating": "SESUAI",
        "behaviour_rating": "DI_ATAS",
        "behaviour_values": dict.fromkeys(BERAKHLAK_VALUES, "SESUAI"),
        "predikat": "BAIK",
        "finalized_at": "2026-01-15T08:00:00+00:00",
    }


def write_events(
    url: str, count: int, per_transaction: int, prefix: str, rate: float = 0, started=None
) -> None:
    """Write `count` events to the outbox, `per_transaction` at a time (paced at `rate`/s)."""
    _metadata, outbox, _inbox, _effects = bench_tables()
    engine = make_engine(url)
    with engine.connect():
        pass  # connected before the clock starts
    if started is not None:
        started.value = time.time()
    started = time.perf_counter()
    for first in range(0, count, per_transaction):
        if rate:
            delay = started + first / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        with Session(engine) as session, session.begin():
            for n in range(first, min(first + per_transaction, count)):
                outbox.add(session, FINALIZED, finalized(n, prefix))
    engine.dispose()


# -- child processes --------------------------------------------------------------------------


def worker_main(service: str, amqp_url: str, db_url: str, log_path: str, ready, go, stop) -> None:
    """A service's worker (as `sofifi worker` runs it), started when `go` is set."""
    with open(log_path, "a") as log:
        os.dup2(log.fileno(), 2)
    configure_logging(service, "INFO")
    go.wait()
    settings = Settings.from_env(service, {"AMQP_URL": amqp_url, "DATABASE_URL": db_url}, {})
    worker = Worker(bench_spec(service), settings)
    worker.start()
    ready.set()
    stop.wait()
    worker.shutdown()


def writer_main(url: str, count: int, per_transaction: int, prefix: str, rate: float, started):
    write_events(url, count, per_transaction, prefix, rate, started)


# -- (b) and (c): the pipeline and the lag ------------------------------------------------------


class Pipeline:
    """A publisher worker and two consumer workers in their own processes and databases."""

    def __init__(self, amqp_url: str, urls: dict[str, str], log_dir: str) -> None:
        self.context = mp.get_context("spawn")
        self.urls = urls
        self.stop = self.context.Event()
        self.processes: dict[str, Any] = {}
        self.go: dict[str, Any] = {}
        self.ready: dict[str, Any] = {}
        for service in ("appraisal", *CONSUMERS):
            self.go[service], self.ready[service] = self.context.Event(), self.context.Event()
            log_path = os.path.join(log_dir, f"{service}.log")
            args = (service, amqp_url, urls[service], log_path, self.ready[service])
            process = self.context.Process(
                target=worker_main, args=(*args, self.go[service], self.stop), daemon=True
            )
            process.start()
            self.processes[service] = process

    def start(self, *services: str) -> None:
        for service in services:
            self.go[service].set()
        for service in services:
            if not self.ready[service].wait(60):
                raise RuntimeError(f"the {service} worker did not start")

    def counts(self, prefix: str) -> list[int]:
        """Effects of events named `prefix` committed by each consumer (an exact count)."""
        _metadata, _outbox, _inbox, effects = bench_tables()
        query = select(func.count()).where(effects.c.appraisal_id.like(f"{prefix}-%"))
        return [self._scalar(service, query) for service in CONSUMERS]

    def last_ids(self) -> list[int]:
        """The newest effect row of each consumer: a cheap progress probe (no scan)."""
        _metadata, _outbox, _inbox, effects = bench_tables()
        query = select(func.coalesce(func.max(effects.c.id), 0))
        return [self._scalar(service, query) for service in CONSUMERS]

    def _scalar(self, service: str, query) -> int:
        with self._engine(service).connect() as connection:
            return connection.execute(query).scalar_one()

    def _engine(self, service: str):
        cache = self.__dict__.setdefault("_engines", {})
        if service not in cache:
            cache[service] = make_engine(self.urls[service], pool_size=1)
        return cache[service]

    def wait_all(self, prefix: str, count: int, since: list[int], timeout: float) -> float:
        """Wait until both consumers committed `count` events of `prefix`; the moment (time()).

        `since` holds the consumers' last effect ids before the phase; ids only grow, so the
        probe is an index lookup, confirmed by an exact count at the end.
        """
        deadline = time.time() + timeout
        while True:
            progress = [last - first for last, first in zip(self.last_ids(), since, strict=True)]
            if min(progress) >= count and min(self.counts(prefix)) >= count:
                return time.time()
            if time.time() > deadline:
                raise RuntimeError(f"only {self.counts(prefix)} of {count} in {timeout} s")
            time.sleep(0.01 if min(progress) >= count * 0.95 else 0.1)

    def lags_ms(self, prefix: str) -> list[float]:
        _metadata, _outbox, _inbox, effects = bench_tables()
        lag = func.extract("epoch", effects.c.handled_at - effects.c.occurred_at) * 1000
        values: list[float] = []
        for service in CONSUMERS:
            with self._engine(service).connect() as connection:
                query = select(lag).where(effects.c.appraisal_id.like(f"{prefix}-%"))
                values += [float(v) for v in connection.execute(query).scalars()]
        return values

    def close(self) -> None:
        self.stop.set()
        for process in self.processes.values():
            process.join(20)
            if process.is_alive():
                process.kill()
        for engine in self.__dict__.get("_engines", {}).values():
            engine.dispose()


def run_writer(pipeline: Pipeline, count: int, per_tx: int, prefix: str, rate: float = 0):
    """A writer process; returns it and the time() of its first write (once it is known)."""
    started = pipeline.context.Value("d", 0.0)
    args = (pipeline.urls["appraisal"], count, per_tx, prefix, rate, started)
    process = pipeline.context.Process(target=writer_main, args=args)
    process.start()
    return process, started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def measure(args: argparse.Namespace, amqp_url: str, urls: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sofifi-bench-") as log_dir:
        pipeline = Pipeline(amqp_url, urls, log_dir)
        try:
            pipeline.start(*CONSUMERS)  # their queues exist before anything is published
            return run_phases(args, pipeline)
        finally:
            pipeline.close()


def run_phases(args: argparse.Namespace, pipeline: Pipeline) -> dict[str, Any]:
    n, per_tx = args.events, args.per_transaction
    # A backlog: the outbox already holds n events when the relay starts.
    write_events(pipeline.urls["appraisal"], n, 100, "backlog")
    since = pipeline.last_ids()
    started_at = time.time()
    pipeline.start("appraisal")
    backlog = n / (pipeline.wait_all("backlog", n, since, timeout=600) - started_at)

    # End to end: a writer fills the outbox while relay and consumers carry it.
    since = pipeline.last_ids()
    writer, started = run_writer(pipeline, n, per_tx, "e2e")
    done = pipeline.wait_all("e2e", n, since, timeout=600)
    writer.join()
    end_to_end = n / (done - started.value)

    # Lag at a steady rate, one event per transaction (as a request finalizing one appraisal).
    count = int(args.lag_rate * args.lag_seconds)
    since = pipeline.last_ids()
    writer, _started = run_writer(pipeline, count, 1, "lag", args.lag_rate)
    pipeline.wait_all("lag", count, since, timeout=args.lag_seconds * 4 + 60)
    writer.join()
    lags = pipeline.lags_ms("lag")
    return {
        "pipeline": {
            "events": n,
            "consumers": len(CONSUMERS),
            "events_per_transaction": per_tx,
            "events_per_s": round(end_to_end),
            "backlog_events_per_s": round(backlog),
            "target_events_per_s": TARGET_PIPELINE,
            "meets_target": end_to_end >= TARGET_PIPELINE,
        },
        "lag": {
            "rate_per_s": args.lag_rate,
            "events": count,
            "samples": len(lags),
            "p50_ms": round(statistics.median(lags), 1),
            "p95_ms": round(percentile(lags, 95), 1),
            "p99_ms": round(percentile(lags, 99), 1),
            "max_ms": round(max(lags), 1),
            "target_p99_ms": TARGET_LAG_P99_MS,
            "meets_target": percentile(lags, 99) < TARGET_LAG_P99_MS,
        },
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of this benchmark, in one run."""
    load_before = os.getloadavg()[0]
    amqp_base = os.environ.get("AMQP_URL") or "amqp://guest:guest@localhost:5672//"
    admin = (
        os.environ.get("BENCH_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1/postgres"
    )
    with ExitStack() as stack:
        amqp_url = stack.enter_context(fresh_vhost(amqp_base))
        body = Event(FINALIZED, finalized(0, "raw"), "appraisal", "bench").to_json().encode()
        raw = raw_broker(amqp_url, body, args.raw_messages)
        metadata = bench_tables()[0]
        urls = {
            service: stack.enter_context(fresh_database(admin, metadata))
            for service in ("appraisal", *CONSUMERS)
        }
        figures = measure(args, amqp_url, urls)
    return {
        "benchmark": "bus",
        "machine": about_machine(load_before),
        "raw_broker": raw,
        **figures,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the bus benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_event_workload(parser)
    print(json.dumps(run(parser.parse_args(argv)), indent=2))


if __name__ == "__main__":
    main()
