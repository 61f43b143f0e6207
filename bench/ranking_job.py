"""A national-size ranking started through the gateway as a job and followed to its result.

Loads a synthetic CPNS year (bench.recruitment_ranking's data, `--scale` of 3.57 M
applications over 250,407 formations) into a fresh PostgreSQL database, starts the real
processes on a fresh RabbitMQ vhost (`sofifi web recruitment`, `sofifi web gateway`, `sofifi
worker recruitment`), then `POST /api/v1/recruitment/selection/2024/rank` through the gateway
with an admin token and an `Idempotency-Key`: a year this big answers 202 with the job's URL.
The same POST again must give the same job. The job's URL (`Location`) is then polled every
`--poll` seconds until it ends; every change of state, phase or progress is a sample.
Prints JSON: the 202's time, the samples (seconds since the POST), the result, the total time.

    python -m bench.ranking_job [--scale 0.1] [--poll 0.25]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
import urllib3
from sqlalchemy.engine import make_url

from bench._env import fresh_database, fresh_vhost
from bench.gateway_overhead import free_port, start_web, wait_ready
from bench.recruitment_ranking import (
    APPLICATION_COLUMNS,
    FORMATION_COLUMNS,
    NATIONAL_APPLICATIONS,
    NATIONAL_FORMATIONS,
    YEAR,
    applications,
    copy_rows,
    formations,
)
from chassis.auth import generate_keypair, sign_token
from chassis.db import normalize_url
from chassis.migrations import upgrade
from gateway.app import MIGRATIONS_DIR
from services.recruitment.models import Base


def load(url: str, scale: float, seed: int) -> dict[str, Any]:
    """COPY a synthetic year into the database; its size and load time."""
    rng = random.Random(seed)
    form_rows = formations(round(NATIONAL_FORMATIONS * scale), rng)
    count = round(NATIONAL_APPLICATIONS * scale)
    started = time.perf_counter()
    plain = make_url(normalize_url(url)).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False)) as conn:
        with conn.cursor() as cursor:
            copy_rows(cursor, "formations", FORMATION_COLUMNS, form_rows)
            for rows in applications(count, form_rows, rng):
                copy_rows(cursor, "applications", APPLICATION_COLUMNS, rows)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE) formations, applications")
    return {
        "applications": count,
        "formations": len(form_rows),
        "load_s": round(time.perf_counter() - started, 1),
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`sofifi worker recruitment`: relay, consumer and the job runner."""
    sofifi = Path(sys.executable).parent / "sofifi"
    with log.open("ab") as output:
        return subprocess.Popen(
            [str(sofifi), "worker", "recruitment"],
            env={**os.environ, **env},
            stdout=output,
            stderr=output,
        )


def follow(gateway: str, location: str, headers: dict[str, str], poll: float, t0: float):
    """Poll the job's URL until it ends; the samples (on change) and the last document."""
    samples: list[dict[str, Any]] = []
    last_key = None
    while True:
        answer = urllib3.request("GET", f"{gateway}{location}", headers=headers, timeout=10)
        if answer.status != 200:
            raise RuntimeError(f"GET {location} answered {answer.status}: {answer.data[:300]!r}")
        job = answer.json()
        key = (job["state"], job["phase"], job["progress"]["done"], job["progress"]["total"])
        if key != last_key:
            samples.append(
                {
                    "t_s": round(time.perf_counter() - t0, 2),
                    "state": job["state"],
                    "phase": job["phase"],
                    **job["progress"],
                }
            )
            last_key = key
        if job["state"] in ("SUCCEEDED", "FAILED"):
            return samples, job
        time.sleep(poll)


def run(scale: float, seed: int, poll: float, admin_url: str, amqp_url: str) -> dict[str, Any]:
    """Load, start the processes, rank through the gateway as a job, follow it; the figures."""
    with (
        tempfile.TemporaryDirectory(prefix="sofifi-bench-rankjob-") as tmp,
        fresh_database(admin_url, Base.metadata) as database,
        fresh_vhost(amqp_url) as vhost,
    ):
        folder = Path(tmp)
        data = load(database, scale, seed)
        generate_keypair(folder / "jwt-private.pem", folder / "jwt-public.pem")
        gateway_db = f"sqlite:///{folder}/gateway.db"
        upgrade(MIGRATIONS_DIR, gateway_db)
        ports = {"recruitment": free_port(), "gateway": free_port()}
        common = {
            "SOFIFI_VAR_DIR": str(folder / "var"),
            "JWT_PUBLIC_KEY_FILE": str(folder / "jwt-public.pem"),
            "JWT_PRIVATE_KEY_FILE": str(folder / "jwt-private.pem"),
            "AMQP_URL": vhost,
            "LOG_LEVEL": "INFO",
        }
        service_env = {**common, "DATABASE_URL": database}
        processes = [
            start_web("recruitment", service_env, ports["recruitment"], folder / "web.log"),
            start_worker(service_env, folder / "worker.log"),
            start_web(
                "gateway",
                {
                    **common,
                    "DATABASE_URL": gateway_db,
                    "RECRUITMENT_URL": f"http://127.0.0.1:{ports['recruitment']}",
                },
                ports["gateway"],
                folder / "gateway.log",
            ),
        ]
        try:
            gateway = f"http://127.0.0.1:{ports['gateway']}"
            wait_ready(f"http://127.0.0.1:{ports['recruitment']}/ready", processes[0])
            wait_ready(f"{gateway}/ready", processes[2])
            token = sign_token(
                (folder / "jwt-private.pem").read_bytes(),
                subject="bench-admin",
                roles=("admin",),
                issuer="sofifi-gateway",
                audience="sofifi-asn",
                ttl_seconds=3600,
            )
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{seed}"}
            figures = rank_as_job(gateway, headers, poll)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
    return {"benchmark": "ranking_job", "scale": scale, **data, **figures}


def rank_as_job(gateway: str, headers: dict[str, str], poll: float) -> dict[str, Any]:
    """POST the year's ranking (twice: one job), follow it; the timings and samples."""
    url = f"{gateway}/api/v1/recruitment/selection/{YEAR}/rank"
    t0 = time.perf_counter()
    started = urllib3.request("POST", url, headers=headers, timeout=60)
    accepted_s = time.perf_counter() - t0
    if started.status != 202:
        raise RuntimeError(f"the rank call answered {started.status}: {started.data[:300]!r}")
    again = urllib3.request("POST", url, headers=headers, timeout=60)
    location = started.headers["Location"]
    samples, job = follow(gateway, location, headers, poll, t0)
    return {
        "accepted": {"status": started.status, "seconds": round(accepted_s, 3)},
        "location": location,
        "same_key_again": {"status": again.status, "same_job": _job_id(again) == job["id"]},
        "samples": samples,
        "state": job["state"],
        "result": job["result"],
        "error": job["error"],
        "total_s": samples[-1]["t_s"],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _job_id(answer) -> str | None:
    try:
        return answer.json().get("id")
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> None:
    """Run the ranking-job benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of the national size")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between job reads")
    args = parser.parse_args(argv)
    admin = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    amqp = os.environ.get("AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672//"
    print(json.dumps(run(args.scale, args.seed, args.poll, admin, amqp), indent=2))


if __name__ == "__main__":
    main()
