"""Citizen report intake through the gateway: public POSTs of new reports, reports/s and latency.

Starts the real feedback web process and the gateway under gunicorn (`sofifi web <name>`, the
production command) — the feedback service on a fresh PostgreSQL database migrated by Alembic,
the gateway on SQLite — then drives `POST /api/v1/feedback/public/reports` without a token (a
citizen's call, counted by the gateway's public rate limit, set out of reach) from several
client processes with a few connections each, for a fixed time. Every answer must be 201.
Prints JSON: reports per second, p50/p90/p99 in ms, the rows written, CPU per report of each
process (the feedback service, the gateway, the load processes and the PostgreSQL backends of the
bench's database: on 2 cores the rate is bounded by their sum), and the resident memory.
Target (DESIGN.md section 6): >= 300/s with p99 < 300 ms.

    python -m bench.feedback_intake [--seconds 20] [--clients 2] [--connections 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import tempfile
import time
from pathlib import Path

import urllib3
from sqlalchemy import MetaData, func, select, text

from bench._env import fresh_database
from bench.gateway_overhead import cpu_seconds, free_port, memory, start_web, wait_ready
from chassis.auth import generate_keypair
from chassis.db import make_engine
from chassis.migrations import upgrade

TARGET_RATE = 300.0
TARGET_P99_MS = 300.0
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
UNITS = ("DPMPTSP", "DINKES", "DISDIK", "DISHUB", "BAPPEDA", "BKD")
CATEGORIES = ("Perizinan", "Kesehatan", "Pendidikan", "Jalan", "Kepegawaian")


def body(rng: random.Random) -> bytes:
    """A realistic public report (a PUBLIC or ANONYMOUS complaint or suggestion)."""
    anonymous = rng.random() < 0.3
    report = {
        "kind": rng.choice(("COMPLAINT", "SUGGESTION", "INFORMATION_REQUEST")),
        "subject": "UNIT",
        "unit": rng.choice(UNITS),
        "category": rng.choice(CATEGORIES),
        "title": "Pelayanan lambat di loket",
        "body": "Sudah menunggu sejak pagi dan belum dilayani. " * rng.randint(1, 8),
        "privacy": "ANONYMOUS" if anonymous else "PUBLIC",
        "place": "Sofifi",
    }
    if not anonymous:
        report.update(name="Warga", email=f"warga{rng.randint(1, 10**6)}@example.org")
    return json.dumps(report).encode()


def client_main(port: int, connections: int, seconds: float, start_at: float, out) -> None:
    """One load process: `connections` threads, each a kept-alive connection posting reports."""
    import threading

    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    cpu_before = time.process_time()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        # http.client on one kept-alive connection: the load's own CPU shares the 2 cores with
        # the processes measured (urllib3's layers cost about half as much again per call).
        connection = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        mine: list[float] = []
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = start_at + seconds
        while time.time() < deadline:
            payload = body(rng)
            began = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/feedback/public/reports", payload, headers)
                response = connection.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError) as error:
                # A recycled worker closed the kept-alive connection: a failure, then reconnect.
                connection.close()
                with lock:
                    failures.append(f"connection: {error!r}")
                continue
            elapsed = (time.perf_counter() - began) * 1000
            if response.status != 201:
                with lock:
                    failures.append(f"{response.status}: {data[:120]!r}")
                continue
            mine.append(elapsed)
        with lock:
            latencies.extend(mine)

    threads = [
        threading.Thread(target=worker, args=(os.getpid() * 100 + i,)) for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = time.process_time() - cpu_before
    out.put({"latencies": latencies, "failures": failures[:5], "failed": len(failures), "cpu": cpu})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 2)


def run(seconds: float, clients: int, connections: int, workers: int, threads: int) -> dict:
    """Start the processes, drive the load, stop them; the figures as a dict."""
    from gateway.app import MIGRATIONS_DIR
    from services.feedback.app import SPEC

    with tempfile.TemporaryDirectory(prefix="sofifi-bench-intake-") as tmp:
        folder = Path(tmp)
        generate_keypair(folder / "jwt-private.pem", folder / "jwt-public.pem")
        gateway_db = f"sqlite:///{folder}/gateway.db"
        upgrade(MIGRATIONS_DIR, gateway_db)
        with fresh_database(ADMIN_URL, MetaData()) as feedback_db:
            upgrade(SPEC.migrations_dir, feedback_db)
            common = {
                "SOFIFI_VAR_DIR": str(folder / "var"),
                "JWT_PUBLIC_KEY_FILE": str(folder / "jwt-public.pem"),
                "JWT_PRIVATE_KEY_FILE": str(folder / "jwt-private.pem"),
                "AMQP_URL": "memory://",
                "WEB_CONCURRENCY": str(workers),
                "WEB_THREADS": str(threads),
                "LOG_LEVEL": "INFO",
                # Both per-client limits out of reach: the load comes from one address.
                "FEEDBACK_WRITE_LIMIT": "100000000 per minute",
            }
            service_port, gateway_port = free_port(), free_port()
            service = start_web(
                "feedback",
                {**common, "DATABASE_URL": feedback_db},
                service_port,
                folder / "feedback.log",
            )
            gateway = start_web(
                "gateway",
                {
                    **common,
                    "DATABASE_URL": gateway_db,
                    "FEEDBACK_URL": f"http://127.0.0.1:{service_port}",
                    "RATELIMIT_PUBLIC": "100000000 per minute",
                },
                gateway_port,
                folder / "gateway.log",
            )
            try:
                wait_ready(f"http://127.0.0.1:{service_port}/ready", service)
                wait_ready(f"http://127.0.0.1:{gateway_port}/ready", gateway)
                backends = postgres_backends(feedback_db)
                figures = drive(
                    gateway_port, clients, connections, seconds, service, gateway, backends
                )
                engine = make_engine(feedback_db)
                with engine.connect() as connection:
                    reports = SPEC.metadata.tables["reports"]
                    figures["rows_written"] = connection.scalar(
                        select(func.count()).select_from(reports)
                    )
                engine.dispose()
                figures["rss"] = {"feedback": memory(service), "gateway": memory(gateway)}
                if figures["failed"]:
                    figures["server_errors"] = server_errors(folder)
            finally:
                for process in (gateway, service):
                    process.terminate()
                for process in (gateway, service):
                    process.wait(20)
    return {
        "benchmark": "feedback_intake",
        "call": "POST /api/v1/feedback/public/reports without a token (201), PostgreSQL",
        "seconds": seconds,
        "clients": clients,
        "connections_per_client": connections,
        "gunicorn": {"workers": workers, "threads": threads},
        "load_average_before_after": figures.pop("load"),
        **figures,
        "target": {"reports_per_second": TARGET_RATE, "p99_ms": TARGET_P99_MS},
        "meets_target": figures["reports_per_second"] >= TARGET_RATE
        and figures["latency_ms"]["p99"] < TARGET_P99_MS,
    }


def server_errors(folder: Path, limit: int = 5) -> list[str]:
    """The last error lines (with their traces) the two processes logged."""
    found: list[str] = []
    for name in ("feedback.log", "gateway.log"):
        for line in (folder / name).read_text(errors="replace").splitlines():
            if '"level": "ERROR"' in line:
                found.append(f"{name}: {line[-1500:]}")
    return found[-limit:]


def postgres_backends(url: str):
    """A function returning {pid: CPU seconds} of the PostgreSQL backends serving `url`'s database.

    The server runs on this machine; its backends' /proc entries are readable.
    """
    engine = make_engine(url)
    ticks = os.sysconf("SC_CLK_TCK")

    def sample() -> dict[int, float]:
        with engine.connect() as connection:
            pids = connection.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid()"
                )
            ).all()
        found = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[pid] = (int(fields[11]) + int(fields[12])) / ticks
        return found

    return sample


def drive(port, clients, connections, seconds, service, gateway, backends) -> dict:
    """Warm up, then run the timed load and sum up what the clients saw."""
    warm = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1, retries=False)
    rng = random.Random(1)
    for _ in range(50):
        response = warm.request(
            "POST",
            "/api/v1/feedback/public/reports",
            body=body(rng),
            headers={"Content-Type": "application/json"},
        )
        if response.status != 201:
            raise RuntimeError(f"warm-up answered {response.status}: {response.data[:300]!r}")
    load_before = os.getloadavg()[0]
    cpu_before = cpu_seconds(service), cpu_seconds(gateway)
    postgres_before = backends()
    out: mp.Queue = mp.Queue()
    start_at = time.time() + 1.0
    processes = [
        mp.Process(target=client_main, args=(port, connections, seconds, start_at, out))
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    results = [out.get() for _ in processes]
    for process in processes:
        process.join()
    cpu_after = cpu_seconds(service), cpu_seconds(gateway)
    postgres_after = backends()
    postgres = sum(cpu - postgres_before.get(pid, 0.0) for pid, cpu in postgres_after.items())
    client_cpu = sum(result["cpu"] for result in results)
    latencies = [value for result in results for value in result["latencies"]]
    failed = sum(result["failed"] for result in results)
    count = len(latencies)
    return {
        "reports": count,
        "failed": failed,
        "failures_sample": [f for result in results for f in result["failures"]][:5],
        "reports_per_second": round(count / seconds, 1),
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p90": percentile(latencies, 90),
            "p99": percentile(latencies, 99),
            "max": round(max(latencies), 2),
        },
        "cpu_ms_per_report": {
            "feedback": round((cpu_after[0] - cpu_before[0]) * 1000 / max(count, 1), 3),
            "gateway": round((cpu_after[1] - cpu_before[1]) * 1000 / max(count, 1), 3),
            "postgres": round(postgres * 1000 / max(count, 1), 3),
            "load_clients": round(client_cpu * 1000 / max(count, 1), 3),
            "total": round(
                (sum(cpu_after) - sum(cpu_before) + postgres + client_cpu) * 1000 / max(count, 1),
                3,
            ),
        },
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="timed load")
    parser.add_argument("--clients", type=int, default=2, help="load processes")
    parser.add_argument("--connections", type=int, default=8, help="connections per process")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    args = parser.parse_args(argv)
    figures = run(args.seconds, args.clients, args.connections, args.workers, args.threads)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
