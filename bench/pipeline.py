"""Benchmark of the appraisal pipeline on the real services, RabbitMQ and PostgreSQL (issue 4).

Finalized appraisals are written to the appraisal service's own outbox (`outbox.add`, in
transactions, contract-checked), published by its real relay, and consumed by the awards and
training workers with their real specs and handlers, each into its own fresh database. An event
counts once it is committed in the inbox of both consumers. In one run, on a fresh vhost:
- raw broker: py-amqp publishing with batched confirms and consuming, no chassis, no database;
- lag at a steady 200/s (one appraisal per transaction): occurred_at to the moment the
  consumer's commit is seen (a poller counts each inbox every few ms; the consumer commits
  batches one after another, so the k-th row by handled_at is visible once the count reaches k);
- sustained: a live writer finalizing appraisals (10 per transaction, one outbox.add_many, as
  the appraisal service finalizing a unit's year does) as fast as it can, from its first write
  to the last commit in both consumers;
- backlog: the outbox already holds the events when the relay starts;
- the peer: Nameko 2.14 dispatching the same number of the same events to two services that
  record them in SQLite (no outbox, no inbox; bench/_nameko.py), end to end.
Targets (DESIGN.md section 6): >= 2,000 events/s sustained and >= 2x the peer in the same run;
lag p99 < 250 ms at 200/s.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from contextlib import ExitStack
from typing import Any

from bench._appraisals import FINALIZED, finalized, seed_roster
from bench._broker import raw_broker
from bench._env import about_machine, add_event_workload, fresh_database, fresh_vhost
from bench._nameko import run_peer
from bench._processes import PUBLISHER, Pipeline, has_handler
from bench._stats import cpu_seconds, lag_figures, machine_busy
from chassis.bus import Event
from sofifi.registry import load_spec

CONSUMERS = ("awards", "training")
TARGET_EVENTS_PER_S = 2000.0
TARGET_LAG_P99_MS = 250.0
TARGET_RATIO = 2.0


def measure_lag(pipeline: Pipeline, args: argparse.Namespace) -> dict[str, Any]:
    """Lag at a steady rate, one event per transaction (a request finalizing one appraisal)."""
    count = int(args.lag_rate * args.lag_seconds)
    numbers = range(0, count)
    with pipeline.polling(every=args.poll_ms / 1000) as samples:
        writer, _started = pipeline.writer(numbers, 1, "lag", args.lag_rate)
        pipeline.wait_committed(count, timeout=args.lag_seconds * 4 + 60)
        writer.join()
    lags = pipeline.lags_ms(samples)
    return {
        "rate_per_s": args.lag_rate,
        "events": count,
        "poll_ms": args.poll_ms,
        **lag_figures(lags, TARGET_LAG_P99_MS),
        "stages": pipeline.lag_stages_ms("lag"),
    }


def measure_live(pipeline: Pipeline, args: argparse.Namespace, offset: int) -> dict[str, Any]:
    """A writer finalizing appraisals as fast as it can while relay and consumers carry them."""
    n, per_tx = args.events, args.per_transaction
    before = pipeline.committed()
    probes = pipeline.probe_backends
    cpu_before = cpu_seconds(pipeline.pids(), pipeline.databases(), exclude=probes)
    busy_before = machine_busy()
    writer, started = pipeline.writer(range(offset, offset + n), per_tx, "live", 0.0, args.writers)
    done = pipeline.wait_committed(before + n, timeout=600)
    writer.join()
    writer_cpu, writer_db_cpu = pipeline.last_writer_cpu()
    after = cpu_seconds(
        pipeline.pids(), pipeline.databases(), [("writer", writer_cpu)], exclude=probes
    )
    after["postgresql"] += writer_db_cpu  # its backend is gone by now
    cpu = _cpu_per_event(cpu_before, after, n)
    ours = sum(cpu.values())
    machine = round((machine_busy() - busy_before) / n * 1e6)
    rate = n / (done - started.value)
    return {
        "events": n,
        "events_per_transaction": per_tx,
        "writers": args.writers,
        "events_per_s": round(rate),
        "seconds": round(done - started.value, 2),
        # Where the CPU went: each process of the pipeline, our databases' backends, the broker
        # (shared with other vhosts), and the whole machine (other work shows as the rest).
        "cpu_us_per_event": {
            **cpu,
            "pipeline": ours,
            "machine": machine,
            "other_work": max(machine - ours, 0),
        },
        # What the pipeline's own CPU would allow with every core to itself (an estimate).
        "cpu_bound_events_per_s": round((os.cpu_count() or 1) * 1e6 / ours) if ours else None,
    }


def measure_backlog(pipeline: Pipeline, args: argparse.Namespace, offset: int) -> dict[str, Any]:
    """The outbox holds `events` unsent rows when the publisher's relay starts."""
    n = args.events
    pipeline.stop_publisher()
    writer, _started = pipeline.writer(range(offset, offset + n), 100, "backlog", 0.0, 4)
    writer.join()
    before = pipeline.committed()
    started = time.time()
    pipeline.start_publisher()
    done = pipeline.wait_committed(before + n, timeout=600)
    return {"events": n, "events_per_s": round(n / (done - started))}


def _cpu_per_event(before: dict[str, float], after: dict[str, float], n: int) -> dict[str, int]:
    return {name: round((after[name] - before.get(name, 0.0)) / n * 1e6) for name in after}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of this benchmark, in one run."""
    load_before = os.getloadavg()[0]
    amqp_base = os.environ.get("AMQP_URL") or "amqp://guest:guest@localhost:5672//"
    admin = (
        os.environ.get("BENCH_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1/postgres"
    )
    services = (PUBLISHER, *CONSUMERS)
    real = {s: has_handler(s, FINALIZED) and not args.stand_in for s in CONSUMERS}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="sofifi-bench-") as log_dir:
        amqp_url = stack.enter_context(fresh_vhost(amqp_base))
        sample = Event(FINALIZED, finalized(0, "raw"), PUBLISHER, "bench").to_json().encode()
        raw = raw_broker(amqp_url, sample, args.raw_messages)
        urls = {
            s: stack.enter_context(fresh_database(admin, load_spec(s).metadata)) for s in services
        }
        for service in CONSUMERS:
            seed_roster(load_spec(service), urls[service])
        pipeline = Pipeline(amqp_url, urls, CONSUMERS, log_dir, args.stand_in, not args.add_each)
        stack.enter_context(pipeline)
        lag = measure_lag(pipeline, args)
        # The peer right before our sustained phase: the two rates minutes apart at most.
        peer = None
        if not args.no_peer:
            envelopes = [
                Event(FINALIZED, finalized(n, "peer"), PUBLISHER, "bench").to_dict()
                for n in range(args.events)
            ]
            peer_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="sofifi-nameko-"))
            peer = run_peer(amqp_url, envelopes, peer_dir, pool=args.writers)
        live = measure_live(pipeline, args, offset=lag["events"])
        backlog = measure_backlog(pipeline, args, offset=lag["events"] + args.events)
        errors = pipeline.log_errors()
    return {
        "benchmark": "pipeline",
        "machine": about_machine(load_before),
        "handlers": {s: "real" if real[s] else "stand-in (inbox only)" for s in CONSUMERS},
        "writer": (
            "outbox.add per event"
            if args.add_each
            else "outbox.add_many per transaction of several (as calibration.finalize does), "
            "outbox.add for one (as ratings.finalize does)"
        ),
        "raw_broker": raw,
        "sustained": {
            **live,
            "target_events_per_s": TARGET_EVENTS_PER_S,
            "meets_target": live["events_per_s"] >= TARGET_EVENTS_PER_S,
        },
        "backlog": backlog,
        "lag": lag,
        "nameko_peer": peer,
        "ratio_to_nameko": round(live["events_per_s"] / peer["events_per_s"], 2) if peer else None,
        "summary": _summary(live, peer, lag, raw),
        "worker_log_errors": errors,
    }


def _summary(
    live: dict[str, Any], peer: dict[str, Any] | None, lag: dict[str, Any], raw: dict[str, Any]
) -> dict[str, Any]:
    """The figures the targets are judged by, side by side."""
    return {
        "ours_events_per_s": live["events_per_s"],
        "nameko_events_per_s": peer["events_per_s"] if peer else None,
        "ratio": round(live["events_per_s"] / peer["events_per_s"], 2) if peer else None,
        "target_ratio": TARGET_RATIO,
        "raw_publish_per_s": raw["publish_per_s"],
        "raw_consume_per_s": raw["consume_per_s"],
        "lag_p50_ms": lag.get("p50_ms"),
        "lag_p99_ms": lag.get("p99_ms"),
        "cpu_us_per_event": live["cpu_us_per_event"],
        "nameko_cpu_us_per_event": peer["cpu_us_per_event"] if peer else None,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the pipeline benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_event_workload(parser)
    parser.add_argument("--poll-ms", type=float, default=5.0)
    parser.add_argument(
        "--writers",
        type=int,
        default=10,
        help="requests writing at once (our writer's threads, the peer dispatcher's green threads)",
    )
    parser.add_argument(
        "--no-peer", action="store_true", help="skip the Nameko peer (bench/_nameko.py)"
    )
    parser.add_argument(
        "--stand-in",
        action="store_true",
        help="consumers record events in their inbox only: what the chassis alone carries",
    )
    parser.add_argument(
        "--add-each",
        action="store_true",
        help="the writer adds each event with its own outbox.add, even ten in a transaction "
        "(the appraisal service finalizing a unit's year adds them with one add_many)",
    )
    print(json.dumps(run(parser.parse_args(argv)), indent=2))


if __name__ == "__main__":
    main()
