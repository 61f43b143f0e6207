"""The processes of a pipeline benchmark: real service workers, a writer, and inbox probes."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from bench._appraisals import FINALIZED, write_finalized
from bench._stats import percentile, process_cpu
from chassis.bus import Event
from chassis.config import Settings
from chassis.db import make_engine
from chassis.logs import configure_logging
from chassis.service import ServiceSpec
from chassis.worker import Worker
from sofifi.registry import load_spec

PUBLISHER = "appraisal"


def has_handler(service: str, event_type: str) -> bool:
    """True when the service's real spec handles `event_type`."""
    return event_type in load_spec(service).handlers


def bench_spec(service: str, stand_in: bool = False) -> ServiceSpec:
    """The service's real spec; a consumer without a finalized handler gets a stand-in.

    The stand-in only lets the chassis record the event in the inbox (the queue is bound by
    the handlers, so without one nothing would arrive). With `stand_in` every consumer gets it:
    what the chassis alone can carry.
    """
    spec = load_spec(service)
    if service == PUBLISHER or (FINALIZED in spec.handlers and not stand_in):
        return spec
    return replace(spec, handlers={**spec.handlers, FINALIZED: _inbox_only})


def _inbox_only(_session, _event: Event) -> None:
    """Stand-in handler: the inbox row is the whole effect."""


def worker_main(
    service: str, amqp_url: str, db_url: str, log_path: str, stand_in: bool, ready, stop
) -> None:
    """A service's worker as `sofifi worker` runs it (environment settings apply)."""
    with open(log_path, "a") as log:
        os.dup2(log.fileno(), 2)
    settings = Settings.from_env(service, {"AMQP_URL": amqp_url, "DATABASE_URL": db_url})
    configure_logging(service, settings.log_level)
    worker = Worker(bench_spec(service, stand_in), settings)
    worker.start()
    ready.set()
    stop.wait()
    worker.shutdown()


def writer_main(
    url: str,
    numbers: range,
    per_tx: int,
    prefix: str,
    rate: float,
    many: bool,
    concurrency: int,
    started,
    cpu,
    db_cpu,
):
    """Finalize appraisals through the publisher's outbox; report its and its backends' CPU."""

    def report(_engine, backends: list[int]) -> None:
        db_cpu.value = sum(process_cpu(pid) for pid in backends)

    spec = load_spec(PUBLISHER)
    ready = sum(os.times()[:2])  # the start-up (imports) is not the writer's work
    write_finalized(
        spec,
        url,
        numbers,
        per_tx,
        prefix,
        rate,
        started,
        before_close=report,
        many=many,
        concurrency=concurrency,
    )
    cpu.value = sum(os.times()[:2]) - ready


class Pipeline:
    """The publisher's worker and the consumers' workers, each its own process and database."""

    def __init__(
        self,
        amqp_url: str,
        urls: dict[str, str],
        consumers: tuple[str, ...],
        log_dir: str,
        stand_in: bool = False,
        writer_many: bool = False,
    ) -> None:
        self.context = mp.get_context("spawn")
        self.amqp_url, self.urls, self.consumers = amqp_url, urls, consumers
        self.log_dir = Path(log_dir)
        self.stand_in = stand_in
        self.writer_many = writer_many
        self.processes: dict[str, Any] = {}
        self.stops: dict[str, Any] = {}
        self.engines = {s: make_engine(urls[s], pool_size=1) for s in (PUBLISHER, *consumers)}
        # The backends serving the bench's own probes: their CPU is the bench's, not the
        # pipeline's.
        self.probe_backends: set[int] = set()
        for engine in self.engines.values():
            event.listen(engine, "connect", self._note_backend)

    def __enter__(self) -> Pipeline:
        for service in self.consumers:  # their queues exist before anything is published
            self._spawn(service)
        self._spawn(PUBLISHER)
        return self

    def __exit__(self, *_exc) -> None:
        for service in list(self.processes):
            self._stop(service)
        for engine in self.engines.values():
            engine.dispose()

    def _note_backend(self, dbapi_connection, _record) -> None:
        self.probe_backends.add(dbapi_connection.info.backend_pid)

    def _spawn(self, service: str) -> None:
        ready, stop = self.context.Event(), self.context.Event()
        log_path = str(self.log_dir / f"{service}.log")
        args = (service, self.amqp_url, self.urls[service], log_path, self.stand_in, ready, stop)
        process = self.context.Process(target=worker_main, args=args, daemon=True)
        process.start()
        if not ready.wait(60):
            raise RuntimeError(f"the {service} worker did not start")
        self.processes[service], self.stops[service] = process, stop

    def _stop(self, service: str) -> None:
        self.stops.pop(service).set()
        process = self.processes.pop(service)
        process.join(20)
        if process.is_alive():
            process.kill()

    def stop_publisher(self) -> None:
        """Stop the publisher's worker (its relay): what is written now waits in the outbox."""
        self._stop(PUBLISHER)

    def start_publisher(self) -> None:
        """Start the publisher's worker again."""
        self._spawn(PUBLISHER)

    def databases(self) -> list[str]:
        """Names of this run's databases."""
        return [make_url(url).database for url in self.urls.values()]

    def pids(self) -> dict[str, int]:
        return {service: process.pid for service, process in self.processes.items()}

    def writer(
        self, numbers: range, per_tx: int, prefix: str, rate: float = 0.0, concurrency: int = 1
    ):
        """A writer process; returns it and the time() of its first write (once it is known)."""
        started, cpu = self.context.Value("d", 0.0), self.context.Value("d", 0.0)
        db_cpu = self.context.Value("d", 0.0)
        url = self.urls[PUBLISHER]
        many = self.writer_many
        args = (url, numbers, per_tx, prefix, rate, many, concurrency, started, cpu, db_cpu)
        process = self.context.Process(target=writer_main, args=args)
        process.start()
        self._writer_cpu = (cpu, db_cpu)
        return process, started

    def last_writer_cpu(self) -> tuple[float, float]:
        """CPU seconds of the last writer and of its database backend (once it has finished)."""
        return self._writer_cpu[0].value, self._writer_cpu[1].value

    def counts(self) -> list[int]:
        """Finalized events committed in each consumer's inbox."""
        query = (
            select(func.count())
            .select_from(self._inbox())
            .where(self._inbox().c.event_type == FINALIZED)
        )
        return [self._scalar(service, query) for service in self.consumers]

    def committed(self) -> int:
        """Finalized events committed in both inboxes."""
        return min(self.counts())

    def wait_committed(self, target: int, timeout: float) -> float:
        """Wait until both inboxes hold `target` finalized events; the moment (time())."""
        deadline = time.time() + timeout
        while True:
            counts = self.counts()
            now = time.time()
            if min(counts) >= target:
                return now
            if now > deadline:
                raise RuntimeError(f"only {counts} of {target} committed in {timeout} s")
            time.sleep(0.01 if min(counts) >= target * 0.97 else 0.25)

    @contextmanager
    def polling(self, every: float) -> Iterator[list[tuple[float, list[int]]]]:
        """Sample (time(), counts) every `every` seconds in a thread while the block runs."""
        samples: list[tuple[float, list[int]]] = []
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                counts = self.counts()
                samples.append((time.time(), counts))
                done.wait(every)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield samples
        finally:
            done.set()
            thread.join()

    def lags_ms(self, samples: list[tuple[float, list[int]]]) -> list[float]:
        """occurred_at to the first sample that saw each event committed, per consumer."""
        occurred = self._occurred_at()
        lags: list[float] = []
        for index, service in enumerate(self.consumers):
            inbox = self._inbox()
            query = (
                select(inbox.c.event_id)
                .where(inbox.c.event_type == FINALIZED)
                .order_by(inbox.c.handled_at)
            )
            with self.engines[service].connect() as connection:
                ids = list(connection.execute(query).scalars())
            position = 0
            for rank, event_id in enumerate(ids, start=1):
                while position < len(samples) and samples[position][1][index] < rank:
                    position += 1
                if position == len(samples):
                    break
                lags.append((samples[position][0] - occurred[event_id]) * 1000)
        return lags

    def lag_stages_ms(self, prefix: str) -> dict[str, dict[str, float]]:
        """Where the lag of events named `prefix` goes, p50/p99 per stage (both consumers).

        written: occurred_at to the relay's publish confirmed (outbox sent_at: the writer's
        commit, the relay's wake-up, read, publish and confirm); delivered: to the start of
        the consumer's transaction (inbox handled_at is now() there: broker, prefetch, batch
        gathering); the rest, to the commit seen, is the consumer's transaction and the probe.
        """
        table = load_spec(PUBLISHER).outbox.table
        query = select(table.c.event_id, table.c.envelope, table.c.sent_at).where(
            table.c.event_type == FINALIZED
        )
        written: dict[str, tuple[float, float]] = {}
        with self.engines[PUBLISHER].connect() as connection:
            for event_id, envelope, sent_at in connection.execute(query):
                data = json.loads(envelope)
                if sent_at is None or not data["data"]["appraisal_id"].startswith(prefix + "-"):
                    continue
                occurred = datetime.fromisoformat(data["occurred_at"]).timestamp()
                written[event_id] = (occurred, sent_at.timestamp())
        stages: dict[str, list[float]] = {"written": [], "delivered": []}
        inbox = self._inbox()
        for service in self.consumers:
            with self.engines[service].connect() as connection:
                rows = connection.execute(select(inbox.c.event_id, inbox.c.handled_at))
                for event_id, handled_at in rows:
                    if event_id in written:
                        occurred, sent = written[event_id]
                        stages["written"].append((sent - occurred) * 1000)
                        stages["delivered"].append((handled_at.timestamp() - sent) * 1000)
        return {
            name: {
                "p50_ms": round(percentile(values, 50), 1),
                "p99_ms": round(percentile(values, 99), 1),
            }
            for name, values in stages.items()
            if values
        }

    def _occurred_at(self) -> dict[str, float]:
        table = load_spec(PUBLISHER).outbox.table
        query = select(table.c.event_id, table.c.envelope).where(table.c.event_type == FINALIZED)
        with self.engines[PUBLISHER].connect() as connection:
            return {
                event_id: datetime.fromisoformat(json.loads(envelope)["occurred_at"]).timestamp()
                for event_id, envelope in connection.execute(query)
            }

    def log_errors(self) -> list[str]:
        """Error lines the workers logged (there should be none)."""
        errors = []
        for path in sorted(self.log_dir.glob("*.log")):
            for line in path.read_text().splitlines():
                if '"level": "ERROR"' in line or "Traceback" in line:
                    errors.append(f"{path.stem}: {line[:300]}")
        return errors[:20]

    def _inbox(self):
        return load_spec(self.consumers[0]).inbox

    def _scalar(self, service: str, query) -> int:
        with self.engines[service].connect() as connection:
            return connection.execute(query).scalar_one()
