"""The public report list with a million reports on PostgreSQL: p95 of `GET /public/reports`.

Makes a fresh PostgreSQL database migrated by Alembic, loads `--scale` reports with COPY (70 %
PUBLIC, a spread of units, categories and statuses, a few merged), ANALYZEs, starts the real
feedback web process under gunicorn and times the public list as citizens use it: the first
page unfiltered and by unit, category, status and their combinations, and deeper pages by the
keyset cursor (`after`). Prints JSON: p50/p95/p99 per kind of call and overall, against the
target p95 < 100 ms (DESIGN.md section 6), and the plan PostgreSQL chose for the slowest kind.

    python -m bench.feedback_list [--scale 1000000] [--requests 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import urllib3
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url

from bench._env import fresh_database
from bench.gateway_overhead import free_port, memory, start_web, wait_ready
from chassis.auth import generate_keypair
from chassis.migrations import upgrade

TARGET_P95_MS = 100.0
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
UNITS = tuple(f"UNIT-{i:02d}" for i in range(40))
CATEGORIES = ("Perizinan", "Kesehatan", "Pendidikan", "Jalan", "Kepegawaian", "Air bersih",
              "Listrik", "Kependudukan", "Pajak", "Lainnya")  # fmt: skip
STATUSES = (("CLOSED", 55), ("RESOLVED", 10), ("IN_FOLLOW_UP", 10), ("DISPOSITIONED", 8),
            ("VERIFIED", 5), ("RECEIVED", 5), ("REJECTED", 5), ("FORWARDED", 2))  # fmt: skip
COLUMNS = (
    "id", "tracking_number", "secret_hash", "kind", "subject", "unit", "category", "title",
    "body", "privacy", "channel", "status", "received_at", "paused_days", "reopens",
    "merged_into_id", "updated_at",
)  # fmt: skip


def load(url: str, scale: int, seed: int = 7) -> float:
    """COPY `scale` reports into the migrated database; returns the seconds it took."""
    rng = random.Random(seed)
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    start = datetime(2021, 1, 1, tzinfo=UTC)
    step = timedelta(minutes=(5 * 365 * 24 * 60) / scale)
    began = time.perf_counter()
    dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        copy_sql = f"COPY reports ({', '.join(COLUMNS)}) FROM STDIN"
        with cursor.copy(copy_sql) as copy:
            for i in range(1, scale + 1):
                received = start + step * i
                privacy = (
                    "PUBLIC" if rng.random() < 0.7 else rng.choice(("CONFIDENTIAL", "ANONYMOUS"))
                )
                merged = rng.randint(1, i - 1) if i > 10 and rng.random() < 0.01 else None
                copy.write_row((
                    i, f"LPR-{received.year}-{i:08d}", "0" * 64,
                    rng.choice(("COMPLAINT", "SUGGESTION", "INFORMATION_REQUEST")), "UNIT",
                    rng.choice(UNITS), rng.choice(CATEGORIES), f"Laporan warga nomor {i}",
                    "Pelayanan di loket lambat dan petugas tidak ada di tempat. " * 3,
                    privacy, "WEB", rng.choice(statuses), received, 0, 0, merged, received,
                ))  # fmt: skip
        cursor.execute("SELECT setval('reports_id_seq', %s)", (scale,))
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE reports")
    return time.perf_counter() - began


def calls(rng: random.Random, cursor_after: int) -> list[tuple[str, str]]:
    """One round of the kinds of call citizens make: (kind, path)."""
    unit, category = rng.choice(UNITS), rng.choice(CATEGORIES)
    status = rng.choice(("RECEIVED", "IN_FOLLOW_UP", "CLOSED", "REJECTED", "FORWARDED"))
    return [
        ("first_page", "/public/reports"),
        ("unit", f"/public/reports?unit={unit}"),
        ("category", f"/public/reports?category={category}"),
        ("status", f"/public/reports?status={status}"),
        ("unit_category", f"/public/reports?unit={unit}&category={category}"),
        ("unit_status", f"/public/reports?unit={unit}&status={status}"),
        ("unit_category_status",
         f"/public/reports?unit={unit}&category={category}&status={status}"),
        ("deep_page", f"/public/reports?after={rng.randint(1, cursor_after)}"),
        ("deep_page_unit", f"/public/reports?unit={unit}&after={rng.randint(1, cursor_after)}"),
    ]  # fmt: skip


def quantiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100) if len(samples) > 1 else samples * 99
    return {
        "p50": round(statistics.median(samples), 2),
        "p95": round(cuts[94], 2),
        "p99": round(cuts[98], 2),
        "n": len(samples),
    }


def explain(url: str, unit: str, category: str, status: str) -> list[str]:
    """PostgreSQL's plan for the narrowest filter (the one most likely to read many rows)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(dsn) as connection:
        rows = connection.execute(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM reports WHERE privacy = 'PUBLIC'"
            " AND merged_into_id IS NULL AND unit = %s AND category = %s AND status = %s"
            " ORDER BY id DESC LIMIT 21",
            (unit, category, status),
        ).fetchall()
    return [row[0] for row in rows]


def run(scale: int, requests: int, workers: int, threads: int) -> dict:
    """Load, serve, time; the figures as a dict."""
    from services.feedback.app import SPEC

    with tempfile.TemporaryDirectory(prefix="sofifi-bench-list-") as tmp:
        folder = Path(tmp)
        generate_keypair(folder / "jwt-private.pem", folder / "jwt-public.pem")
        with fresh_database(ADMIN_URL, MetaData()) as url:
            upgrade(SPEC.migrations_dir, url)
            load_seconds = load(url, scale)
            port = free_port()
            service = start_web(
                "feedback",
                {
                    "DATABASE_URL": url,
                    "SOFIFI_VAR_DIR": str(folder / "var"),
                    "JWT_PUBLIC_KEY_FILE": str(folder / "jwt-public.pem"),
                    "AMQP_URL": "memory://",
                    "WEB_CONCURRENCY": str(workers),
                    "WEB_THREADS": str(threads),
                    "LOG_LEVEL": "WARNING",
                },
                port,
                folder / "feedback.log",
            )
            try:
                wait_ready(f"http://127.0.0.1:{port}/ready", service)
                figures = measure(port, scale, requests)
                figures["rss"] = memory(service)
                figures["plan_unit_category_status"] = explain(
                    url, UNITS[3], CATEGORIES[4], "FORWARDED"
                )
            finally:
                service.terminate()
                service.wait(20)
    return {
        "benchmark": "feedback_list",
        "reports": scale,
        "load_seconds_copy": round(load_seconds, 1),
        "gunicorn": {"workers": workers, "threads": threads},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **figures,
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": figures["overall_ms"]["p95"] < TARGET_P95_MS,
    }


def measure(port: int, scale: int, requests: int) -> dict:
    """Sequential calls of every kind, round after round, on one kept-alive connection."""
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1, retries=False)
    rng = random.Random(11)
    by_kind: dict[str, list[float]] = {}
    rounds = max(1, requests // 9)
    for index in range(rounds + 5):
        for kind, path in calls(rng, scale):
            began = time.perf_counter()
            response = pool.request("GET", path)
            elapsed = (time.perf_counter() - began) * 1000
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status} {response.data[:200]!r}")
            if index >= 5:  # the first rounds warm the caches
                by_kind.setdefault(kind, []).append(elapsed)
    every = [value for values in by_kind.values() for value in values]
    # Not part of the list's target: the statistics aggregate every report on each call.
    statistics_ms = []
    for _ in range(5):
        began = time.perf_counter()
        response = pool.request("GET", "/public/reports/statistics")
        statistics_ms.append(round((time.perf_counter() - began) * 1000, 1))
        if response.status != 200:
            raise RuntimeError(f"statistics: {response.status} {response.data[:200]!r}")
    return {
        "overall_ms": quantiles(every),
        "by_kind_ms": {kind: quantiles(values) for kind, values in by_kind.items()},
        "statistics_ms": statistics_ms,
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="reports to load")
    parser.add_argument("--requests", type=int, default=2000, help="timed calls in all")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.scale, args.requests, args.workers, args.threads), indent=2))


if __name__ == "__main__":
    main()
