"""A service's worker process: the outbox relay and the event consumer, side by side."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from kombu import Connection

from chassis.accounts import SenderCheck
from chassis.bus import Publisher, Topology, connect
from chassis.config import Settings
from chassis.db import make_engine
from chassis.inbox import EventConsumer
from chassis.jobrunner import JobRunner
from chassis.jobs import LEASE_SECONDS
from chassis.logs import configure_logging
from chassis.outbox import OutboxRelay, purge_sent
from chassis.service import ServiceSpec
from chassis.signals import Signals

log = logging.getLogger(__name__)

SENT_RETENTION_SECONDS = 7 * 24 * 3600
# How often the main thread checks its threads and touches the heartbeat file (healthchecks
# allow 30 s); rarely, so that an idle worker sleeps.
HEARTBEAT_SECONDS = 5.0


def topology_for(settings: Settings) -> Topology:
    """The broker topology these settings name."""
    return Topology(settings.event_exchange, settings.event_delivery_limit)


def declare_topology(
    consumers: Mapping[str, Iterable[str]], settings: Settings, stop: threading.Event
) -> bool:
    """Declare the exchange and these consumers' queues, retrying until the broker answers."""
    backoff = 0.5
    while not stop.is_set():
        connection = connect(settings.amqp_url)
        try:
            topology_for(settings).declare(connection, consumers)
            return True
        except Exception as exc:
            log.warning(
                "broker not ready; retrying", extra={"error": repr(exc), "retry_in": backoff}
            )
            stop.wait(backoff)
            backoff = min(backoff * 2, 30.0)
        finally:
            connection.release()
    return False


class Worker:
    """Relay and consumer threads of one service, stopped together."""

    def __init__(
        self,
        spec: ServiceSpec,
        settings: Settings,
        consumers: Mapping[str, Iterable[str]] | None = None,
        *,
        job_lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.spec = spec
        self.job_lease_seconds = job_lease_seconds
        self.settings = settings
        # The queues declared at start. The `sofifi worker` command passes every service's, so
        # that an event published before a consumer's first start still has a queue to wait in
        # (the broker drops what no queue is bound for).
        own = {spec.name: spec.consumes} if spec.handlers else {}
        self.senders = SenderCheck.of(Connection(settings.amqp_url).userid, spec.name)
        # A service's own broker user may declare only its own queues (chassis.accounts): the
        # others' are declared by their workers, or up front (definitions, `sofifi run`).
        others = {} if self.senders.per_service else (consumers or {})
        self.consumers = {**own, **others}
        self.stop = threading.Event()
        self.engine = make_engine(settings.database_url)
        self.threads: list[threading.Thread] = []

    def relay(self) -> OutboxRelay:
        """The outbox relay of this service."""
        settings = self.settings
        return OutboxRelay(
            self.engine,
            self.spec.outbox,
            lambda: Publisher(connect(settings.amqp_url), settings.event_exchange),
            batch_size=settings.outbox_batch_size,
            poll_interval=settings.outbox_poll_interval,
            idle_interval=settings.outbox_idle_interval,
        )

    def consumer(self) -> EventConsumer:
        """The event consumer of this service."""
        settings = self.settings
        return EventConsumer(
            service=self.spec.name,
            engine=self.engine,
            inbox=self.spec.inbox,
            handlers=self.spec.handlers,
            topology=topology_for(settings),
            connection_factory=lambda: connect(settings.amqp_url),
            validate=self.spec.validate_event,
            senders=self.senders,
            prefetch=settings.consumer_prefetch,
            batch_size=settings.consumer_batch_size,
        )

    def job_runner(self) -> JobRunner:
        """The job runner of this service (its jobs run as the users who started them)."""
        assert self.spec.jobs is not None
        return JobRunner(
            self.engine, self.spec.jobs, self.spec.outbox, lease_seconds=self.job_lease_seconds
        )

    def start(self) -> None:
        """Declare the topology, then start the relay, the consumer and the housekeeping."""
        shared = not self.senders.per_service
        if shared and Connection(self.settings.amqp_url).transport.driver_type == "amqp":
            log.warning(
                "one broker account shared by every service: consumers cannot tell who "
                "published an event (give each service its own user: see chassis/accounts.py)",
                extra={"service": self.spec.name},
            )
        if not declare_topology(self.consumers, self.settings, self.stop):
            return
        targets: list[tuple[str, Callable[[threading.Event], None]]] = [
            ("relay", self.relay().run),
            ("housekeeping", self._housekeeping),
        ]
        if self.spec.handlers:
            targets.append(("consumer", self.consumer().run))
        if self.spec.jobs is not None:
            # Its own thread: a job of minutes never holds up the relay or the consumer.
            targets.append(("jobs", self.job_runner().run))
        for name, target in targets:
            thread = threading.Thread(
                target=target, args=(self.stop,), name=f"{self.spec.name}-{name}", daemon=True
            )
            thread.start()
            self.threads.append(thread)
        log.info("worker started", extra={"consumes": list(self.spec.consumes)})

    def _housekeeping(self, stop: threading.Event) -> None:
        while not stop.wait(3600):
            try:
                purge_sent(self.engine, self.spec.outbox.table, SENT_RETENTION_SECONDS)
            except Exception:
                log.exception("could not purge sent outbox rows")

    def shutdown(self, timeout: float = 10.0) -> None:
        """Ask every thread to stop and wait for them."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
        self.engine.dispose()


def run_worker(
    spec: ServiceSpec,
    settings: Settings,
    consumers: Mapping[str, Iterable[str]] | None = None,
    *,
    job_lease_seconds: float = LEASE_SECONDS,
) -> int:
    """Run a service's worker in the foreground until SIGTERM or SIGINT; returns an exit code."""
    configure_logging(spec.name, settings.log_level)
    signals = Signals((signal.SIGTERM, signal.SIGINT))
    try:
        worker = Worker(spec, settings, consumers, job_lease_seconds=job_lease_seconds)
        return _watch(worker, settings.worker_heartbeat_file, signals)
    finally:
        signals.close()


def _watch(worker: Worker, heartbeat: Path | None, signals: Signals) -> int:
    # A container healthcheck reads this file's age: fresh means topology declared, threads alive.
    if heartbeat:
        heartbeat.unlink(missing_ok=True)
    # Declaring the topology waits for the broker: the main thread stays free for signals.
    starting = threading.Thread(target=worker.start, name="worker-start", daemon=True)
    starting.start()
    exit_code = 0
    while not signals.wait(HEARTBEAT_SECONDS):
        if starting.is_alive():
            continue
        dead = [thread.name for thread in worker.threads if not thread.is_alive()]
        if dead:
            # A loop that died on a bug: exit so that the supervisor restarts the process.
            log.error("worker thread died; stopping", extra={"threads": dead})
            exit_code = 1
            break
        if heartbeat:
            heartbeat.touch()
    worker.shutdown()
    log.info("worker stopped")
    return exit_code
