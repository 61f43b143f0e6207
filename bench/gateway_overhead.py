"""What the gateway adds to a call: N sequential requests direct vs through the gateway.

Starts the real appraisal web process and the gateway under gunicorn (`sofifi web <name>`, the
production command), each on its own migrated SQLite database and a temporary key pair, then
times the same authenticated GET (one employee, 200 with JSON) straight to the service and
through the gateway, interleaved so both see the same machine. Prints JSON: median, p90, p99 in
ms, the median overhead against the 2 ms target, and the resident memory of every process.
With `--public` the same call goes without a token (the service answers its small 401), so the
gateway treats it as a public call and counts its per-client rate limit on every call (the
limit set out of reach).

    python -m bench.gateway_overhead [--requests 2000] [--workers 2] [--threads 4] [--public]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import urllib3
from sqlalchemy.orm import Session

from chassis.auth import generate_keypair, sign_token
from chassis.db import make_engine
from chassis.migrations import upgrade

NIP = "198503122010011001"
TARGET_MEDIAN_OVERHEAD_MS = 2.0


def free_port() -> int:
    """A local TCP port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(folder: Path) -> dict[str, str]:
    """Keys, two migrated databases (one employee in the service's) and the shared environment."""
    from gateway.app import MIGRATIONS_DIR
    from services.appraisal.app import SPEC
    from services.appraisal.models import Employee

    generate_keypair(folder / "jwt-private.pem", folder / "jwt-public.pem")
    urls = {name: f"sqlite:///{folder}/{name}.db" for name in ("appraisal", "gateway")}
    upgrade(SPEC.migrations_dir, urls["appraisal"])
    upgrade(MIGRATIONS_DIR, urls["gateway"])
    engine = make_engine(urls["appraisal"])
    with Session(engine) as session:
        session.add(
            Employee(
                nip=NIP,
                name="Siti Rahma",
                unit="BKD-01",
                position="Analis SDM Aparatur",
                supervisor_nip=None,
                status="PNS",
                tmt_cpns=date(2010, 1, 1),
                as_of=datetime.now(UTC),
            )
        )
        session.commit()
    engine.dispose()
    return {
        "SOFIFI_VAR_DIR": str(folder / "var"),
        "JWT_PUBLIC_KEY_FILE": str(folder / "jwt-public.pem"),
        "JWT_PRIVATE_KEY_FILE": str(folder / "jwt-private.pem"),
        "AMQP_URL": "memory://",
        "APPRAISAL_DATABASE": urls["appraisal"],
        "GATEWAY_DATABASE": urls["gateway"],
    }


def start_web(name: str, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """`sofifi web <name>` (gunicorn replaces the command, so the pid is gunicorn's master)."""
    sofifi = Path(sys.executable).parent / "sofifi"
    with log.open("ab") as output:
        return subprocess.Popen(
            [str(sofifi), "web", name],
            env={**os.environ, **env, "PORT": str(port)},
            stdout=output,
            stderr=output,
        )


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll `url` until it answers 200; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited with {process.returncode}")
        try:
            if urllib3.request("GET", url, timeout=2, retries=False).status == 200:
                return
        except urllib3.exceptions.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready in {timeout:g} s")


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB, from /proc/<pid>/status (VmRSS)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def children_of(pid: int) -> list[int]:
    """Direct children of a process (gunicorn's workers), from /proc."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return sorted(found)


def cpu_seconds(process: subprocess.Popen) -> float:
    """User + system CPU time of a gunicorn master and its workers (/proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in (process.pid, *children_of(process.pid)):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def memory(process: subprocess.Popen) -> dict[str, object]:
    """RSS of a gunicorn master and each of its workers."""
    return {
        "master_pid": process.pid,
        "master_rss_mb": rss_mb(process.pid),
        "workers_rss_mb": [rss_mb(pid) for pid in children_of(process.pid)],
    }


def summary(samples: list[float]) -> dict[str, float]:
    """Median, p90, p99 and mean of durations in ms."""
    cuts = statistics.quantiles(samples, n=100)
    return {
        "median": round(statistics.median(samples), 3),
        "p90": round(cuts[89], 3),
        "p99": round(cuts[98], 3),
        "mean": round(statistics.fmean(samples), 3),
    }


def timed_get(
    pool: urllib3.HTTPConnectionPool, path: str, headers: dict[str, str], expected: int = 200
) -> float:
    """One GET on a kept-alive connection; its duration in ms (fails on another status)."""
    started = time.perf_counter()
    response = pool.request("GET", path, headers=headers, retries=False)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != expected:
        raise RuntimeError(f"GET {path} answered {response.status}: {response.data[:200]!r}")
    return elapsed


def measure(
    service: subprocess.Popen,
    gateway: subprocess.Popen,
    ports: tuple[int, int],
    token: str | None,
    requests: int,
    warmup: int,
) -> dict:
    """Interleaved direct and gateway calls: latencies, the overhead, CPU used per call."""
    service_port, gateway_port = ports
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    expected = 200 if token is not None else 401
    direct = urllib3.HTTPConnectionPool("127.0.0.1", service_port, maxsize=1)
    proxied = urllib3.HTTPConnectionPool("127.0.0.1", gateway_port, maxsize=1)
    direct_path = f"/employees/{NIP}"
    gateway_path = f"/api/v1/appraisal/employees/{NIP}"
    for _ in range(warmup):
        timed_get(direct, direct_path, headers, expected)
        timed_get(proxied, gateway_path, headers, expected)
    direct_ms, gateway_ms = [], []
    cpu_before = cpu_seconds(service), cpu_seconds(gateway)
    for index in range(requests):
        # Alternate which goes first, so neither side always meets a warmer cache.
        if index % 2:
            direct_ms.append(timed_get(direct, direct_path, headers, expected))
            gateway_ms.append(timed_get(proxied, gateway_path, headers, expected))
        else:
            gateway_ms.append(timed_get(proxied, gateway_path, headers, expected))
            direct_ms.append(timed_get(direct, direct_path, headers, expected))
    cpu_after = cpu_seconds(service), cpu_seconds(gateway)
    direct_summary, gateway_summary = summary(direct_ms), summary(gateway_ms)
    overhead = {key: round(gateway_summary[key] - direct_summary[key], 3) for key in direct_summary}
    return {
        "direct_ms": direct_summary,
        "gateway_ms": gateway_summary,
        "overhead_ms": overhead,
        # CPU is less disturbed by other load than latency is: what each process spends per call
        # (the service serves both the direct and the proxied calls).
        "cpu_ms_per_call": {
            "service": round((cpu_after[0] - cpu_before[0]) * 1000 / (2 * requests), 3),
            "gateway": round((cpu_after[1] - cpu_before[1]) * 1000 / requests, 3),
        },
    }


def run(requests: int, warmup: int, workers: int, threads: int, public: bool = False) -> dict:
    """Start both processes, measure, stop them; the figures as a dict."""
    with tempfile.TemporaryDirectory(prefix="sofifi-bench-gateway-") as tmp:
        folder = Path(tmp)
        shared = prepare(folder)
        common = {
            "SOFIFI_VAR_DIR": shared["SOFIFI_VAR_DIR"],
            "JWT_PUBLIC_KEY_FILE": shared["JWT_PUBLIC_KEY_FILE"],
            "JWT_PRIVATE_KEY_FILE": shared["JWT_PRIVATE_KEY_FILE"],
            "AMQP_URL": shared["AMQP_URL"],
            "WEB_CONCURRENCY": str(workers),
            "WEB_THREADS": str(threads),
            "LOG_LEVEL": "INFO",
        }
        service_port, gateway_port = free_port(), free_port()
        service = start_web(
            "appraisal",
            {**common, "DATABASE_URL": shared["APPRAISAL_DATABASE"]},
            service_port,
            folder / "appraisal.log",
        )
        gateway = start_web(
            "gateway",
            {
                **common,
                "DATABASE_URL": shared["GATEWAY_DATABASE"],
                "APPRAISAL_URL": f"http://127.0.0.1:{service_port}",
                "RATELIMIT_PUBLIC": "1000000 per minute",
            },
            gateway_port,
            folder / "gateway.log",
        )
        try:
            wait_ready(f"http://127.0.0.1:{service_port}/ready", service)
            wait_ready(f"http://127.0.0.1:{gateway_port}/ready", gateway)
            token = sign_token(
                Path(shared["JWT_PRIVATE_KEY_FILE"]).read_bytes(),
                subject="bench",
                roles=("admin",),
                issuer="sofifi-gateway",
                audience="sofifi-asn",
                ttl_seconds=3600,
            )
            figures = measure(
                service,
                gateway,
                (service_port, gateway_port),
                None if public else token,
                requests,
                warmup,
            )
            figures["rss"] = {"appraisal": memory(service), "gateway": memory(gateway)}
        finally:
            for process in (gateway, service):
                process.terminate()
            for process in (gateway, service):
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
    return {
        "benchmark": "gateway_overhead",
        "requests": requests,
        "warmup": warmup,
        "call": (
            "GET /employees/{nip} without a token (401 JSON; rate-limited at the gateway) vs "
            "/api/v1/appraisal/employees/{nip}"
            if public
            else "GET /employees/{nip} (admin token, 200 JSON) vs /api/v1/appraisal/employees/{nip}"
        ),
        "gunicorn": {"workers": workers, "threads": threads},
        "load_average": list(os.getloadavg()),
        **figures,
        "target_median_overhead_ms": TARGET_MEDIAN_OVERHEAD_MS,
        "meets_target": figures["overhead_ms"]["median"] < TARGET_MEDIAN_OVERHEAD_MS,
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="timed calls on each side")
    parser.add_argument("--warmup", type=int, default=200, help="untimed calls on each side first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--public", action="store_true", help="time a token-less (rate-limited) call instead"
    )
    args = parser.parse_args(argv)
    figures = run(args.requests, args.warmup, args.workers, args.threads, args.public)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
