"""Chaos: events through the real services while the broker and the consumers are knocked down.

`python -m bench.chaos` (`make chaos`): a RabbitMQ node of our own (never the shared one), the
appraisal worker relaying finalized appraisals from its real outbox, and TWO workers of each
consumer (awards, training) competing on their queue, each service in its own fresh PostgreSQL
database. While a writer finalizes `--events` appraisals (10 per transaction), the broker is
restarted `--broker-restarts` times (the last one by SIGKILL of the Erlang VM) and a consumer
worker is killed with SIGKILL `--consumer-kills` times, mid-batch, and started again.

`python -m bench.chaos --cluster` (`make cluster`): the same against a 3-node cluster of our
own (quorum queues with a member on every node); AMQP_URL lists the three nodes (kombu
failover) and the node everyone is connected to first is stopped mid-stream and started again.

Effects are counted per event: each consumer's real handler runs wrapped so that, in the same
transaction as its effect and the inbox row, one row per handled event goes to a `chaos_effects`
table without any unique key. An event with no row is lost; one with two rows had its effect
twice. Prints JSON; exits 1 unless 0 lost and 0 doubled.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from bench._appraisals import FINALIZED, seed_roster
from bench._env import fresh_database
from bench._processes import PUBLISHER, writer_main
from bench._rabbitnodes import nodes
from chassis.bus import Event
from chassis.config import Settings
from chassis.db import make_engine
from chassis.inbox import handles_batches
from chassis.logs import configure_logging, correlation_scope
from chassis.service import ServiceSpec
from chassis.worker import Worker
from sofifi.registry import load_spec

CONSUMERS = ("awards", "training")
WORKERS_PER_CONSUMER = 2

EFFECTS_METADATA = MetaData()
EFFECTS = Table(
    "chaos_effects",
    EFFECTS_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),  # no unique key: a double shows as two rows
    Column("worker", Integer, nullable=False),
)


def counted(handler, worker: int):
    """The real handler, also writing one `chaos_effects` row per event in its transaction."""
    many = getattr(handler, "many", None)

    def record(session, events: list[Event]) -> None:
        session.execute(
            insert(EFFECTS), [{"event_id": e.event_id, "worker": worker} for e in events]
        )
        if many is not None:
            many(session, events)
            return
        for event in events:
            with correlation_scope(event.correlation_id):
                handler(session, event)

    return handles_batches(record)


def chaos_spec(service: str, worker: int) -> ServiceSpec:
    spec = load_spec(service)
    if service == PUBLISHER:
        return spec
    return replace(
        spec, handlers={**spec.handlers, FINALIZED: counted(spec.handlers[FINALIZED], worker)}
    )


def worker_main(
    service: str, worker: int, amqp_url: str, db_url: str, log_path: str, ready
) -> None:
    """A service worker (relay and consumer threads) as `sofifi worker` runs it, until killed."""
    with open(log_path, "a") as log:
        os.dup2(log.fileno(), 2)
    settings = Settings.from_env(service, {"AMQP_URL": amqp_url, "DATABASE_URL": db_url})
    configure_logging(service, settings.log_level)
    process = Worker(chaos_spec(service, worker), settings)
    process.start()
    ready.set()
    threading.Event().wait()  # until terminated or killed


class Platform:
    """The publisher's worker and two workers per consumer, each its own process."""

    def __init__(self, amqp_url: str, urls: dict[str, str], log_dir: Path) -> None:
        self.context = mp.get_context("spawn")
        self.amqp_url, self.urls, self.log_dir = amqp_url, urls, log_dir
        self.processes: dict[tuple[str, int], Any] = {}

    def spawn(self, service: str, worker: int) -> None:
        ready = self.context.Event()
        log_path = str(self.log_dir / f"{service}-{worker}.log")
        args = (service, worker, self.amqp_url, self.urls[service], log_path, ready)
        process = self.context.Process(target=worker_main, args=args, daemon=True)
        process.start()
        if not ready.wait(180):
            raise RuntimeError(f"the {service} worker {worker} did not start")
        self.processes[service, worker] = process

    def kill(self, service: str, worker: int) -> None:
        """SIGKILL: no clean-up, no acknowledgement, the transaction in flight is lost."""
        process = self.processes.pop((service, worker))
        process.kill()
        process.join(30)

    def __enter__(self) -> Platform:
        for service in CONSUMERS:  # their queues exist before anything is published
            for worker in range(1, WORKERS_PER_CONSUMER + 1):
                self.spawn(service, worker)
        self.spawn(PUBLISHER, 1)
        return self

    def __exit__(self, *_exc) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.join(20)
            if process.is_alive():
                process.kill()
                process.join(10)
        self.processes.clear()


def effect_counts(url: str) -> dict[str, Any]:
    """Per event: how many effects; and which worker did them."""
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            per_event = select(EFFECTS.c.event_id, func.count().label("n")).group_by(
                EFFECTS.c.event_id
            )
            counts = [row.n for row in connection.execute(per_event)]
            by_worker = dict(
                connection.execute(
                    select(EFFECTS.c.worker, func.count()).group_by(EFFECTS.c.worker)
                ).all()
            )
    finally:
        engine.dispose()
    return {
        "events_with_effect": len(counts),
        "doubled": sum(1 for n in counts if n > 1),
        "effect_rows": sum(counts),
        "by_worker": {str(k): v for k, v in sorted(by_worker.items())},
    }


def wait_for(urls: dict[str, str], target: int, timeout: float) -> float:
    """Wait until every consumer has the effect of `target` events; the moment (monotonic)."""
    engines = {s: make_engine(urls[s], pool_size=1) for s in CONSUMERS}
    query = select(func.count(func.distinct(EFFECTS.c.event_id)))
    deadline = time.monotonic() + timeout
    try:
        while True:
            counts = []
            for engine in engines.values():
                with engine.connect() as connection:
                    counts.append(connection.execute(query).scalar_one())
            if min(counts) >= target or time.monotonic() > deadline:
                return time.monotonic()
            time.sleep(0.5)
    finally:
        for engine in engines.values():
            engine.dispose()


def run(args: argparse.Namespace) -> dict[str, Any]:
    admin = (
        os.environ.get("BENCH_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1/postgres"
    )
    rng = random.Random(args.seed)
    services = (PUBLISHER, *CONSUMERS)
    timeline: list[dict[str, Any]] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="sofifi-chaos-") as logs:
        log_dir = Path(logs)
        broker = stack.enter_context(nodes(3 if args.cluster else 1))
        amqp_url = ";".join(node.url for node in broker)
        urls = {}
        for service in services:
            metadata = load_spec(service).metadata
            urls[service] = stack.enter_context(fresh_database(admin, metadata))
            engine = make_engine(urls[service], pool_size=1)
            EFFECTS_METADATA.create_all(engine)
            engine.dispose()
        for service in CONSUMERS:
            seed_roster(load_spec(service), urls[service])
        platform = stack.enter_context(Platform(amqp_url, urls, log_dir))
        context = mp.get_context("spawn")
        values = [context.Value("d", 0.0) for _ in range(3)]
        n = args.events
        writer = context.Process(
            target=writer_main,
            args=(urls[PUBLISHER], range(n), 10, "chaos", args.rate, False, *values),
        )
        started = time.monotonic()
        writer.start()
        # The disruptions, spread over the writing time, in a shuffled order.
        if args.cluster:
            plan = ["stop-node"]
        else:
            plan = ["broker"] * args.broker_restarts + ["consumer"] * args.consumer_kills
            rng.shuffle(plan)
        # Every consumer worker in turn is the victim, in a shuffled order.
        victims = [(s, w) for s in CONSUMERS for w in range(1, WORKERS_PER_CONSUMER + 1)]
        rng.shuffle(victims)
        spread = n / args.rate
        hard_left = 1 if args.broker_restarts else 0
        for index, action in enumerate(plan):
            at = spread * (index + 1) / (len(plan) + 1)
            time.sleep(max(at - (time.monotonic() - started), 0))
            moment = round(time.monotonic() - started, 1)
            if action == "consumer":
                victim = victims[plan[:index].count("consumer") % len(victims)]
                platform.kill(*victim)
                platform.spawn(*victim)
                back = round(time.monotonic() - started - moment, 1)
                timeline.append(
                    {"at_s": moment, "sigkill": f"{victim[0]} worker {victim[1]}", "back_s": back}
                )
            elif action == "broker":
                # The last restart of the plan is a SIGKILL of the Erlang VM, the others clean.
                hard = hard_left and plan[index + 1 :].count("broker") == 0
                hard_left -= bool(hard)
                away = broker[0].restart(hard=bool(hard))
                timeline.append({"at_s": moment, "broker_restart": "sigkill" if hard else "stop",
                                 "away_s": round(away, 1)})  # fmt: skip
            else:  # one cluster node (the first of AMQP_URL, everyone's) stopped, then started
                broker[0].stop()
                time.sleep(args.node_down_seconds)
                broker[0].start()
                down = round(time.monotonic() - started - moment, 1)
                timeline.append({"at_s": moment, "node_stopped": broker[0].name, "down_s": down})
        writer.join()
        written = time.monotonic()
        done = wait_for(urls, n, args.timeout)
        time.sleep(args.settle_seconds)  # late redeliveries, if any, would show as doubles now
        effects = {s: effect_counts(urls[s]) for s in CONSUMERS}
        dead = {}
        for node in broker[:1]:
            listing = node.ctl("list_queues", "name", "messages", "--no-table-headers")
            for line in listing.splitlines():
                name, _, count = line.rpartition("\t")
                if name.endswith(".dead-letter"):
                    dead[name] = int(count)
        queues = broker[0].ctl("list_queues", "name", "type", "members", "--no-table-headers")
        errors = sum(
            path.read_text(errors="replace").count('"level": "ERROR"')
            for path in log_dir.glob("*.log")
        )
    lost = {s: n - effects[s]["events_with_effect"] for s in CONSUMERS}
    doubled = {s: effects[s]["doubled"] for s in CONSUMERS}
    return {
        "benchmark": "chaos-cluster" if args.cluster else "chaos",
        "command": " ".join([".venv/bin/python -m bench.chaos", *sys.argv[1:]]),
        "broker": (
            f"{len(broker)} RabbitMQ 3.10 nodes of our own (cluster), quorum queues"
            if args.cluster
            else "1 RabbitMQ 3.10 node of our own, quorum queues"
        ),
        "events": n,
        "writer_rate_per_s": args.rate,
        "workers": {s: WORKERS_PER_CONSUMER for s in CONSUMERS} | {PUBLISHER: 1},
        "disruptions": timeline,
        "seconds": {
            "writing": round(written - started, 1),
            "until_all_effects": round(done - started, 1),
        },
        "effects": effects,
        "lost": lost,
        "doubled": doubled,
        "dead_lettered": dead,
        "queues": [line.split("\t") for line in queues.splitlines() if line.strip()][:6],
        "worker_log_errors": errors,
        "ok": not any(lost.values()) and not any(doubled.values()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0, help="events written per second")
    parser.add_argument("--broker-restarts", type=int, default=3)
    parser.add_argument("--consumer-kills", type=int, default=3)
    parser.add_argument("--cluster", action="store_true", help="a 3-node cluster; one node stopped")
    parser.add_argument("--node-down-seconds", type=float, default=10.0)
    parser.add_argument("--settle-seconds", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=13)
    figures = run(parser.parse_args(argv))
    print(json.dumps(figures, indent=2))
    sys.exit(0 if figures["ok"] else 1)


if __name__ == "__main__":
    main()
