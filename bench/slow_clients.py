"""Others' latency while slow clients hold connections to the gateway, and when those are cut off.

Starts the real appraisal web process and the gateway under gunicorn (`sofifi web <name>`, as
bench.gateway_overhead does), then runs `--clients` normal clients (the same authenticated GET
through the gateway, each on a kept-alive connection) for `--seconds`: first alone, then while
`--slow` slow clients hold connections (half send their headers one byte a second, slowloris;
half a POST whose body comes one byte a second; every one starts before the timed part and
none is due for cut-off before it ends). Prints JSON: the normal calls' p50/p95/p99 and
throughput in both runs, their failures, and for the slow clients when each was cut off after
it connected and how (a 408 answer, or closed).

`--stock` runs both processes on gunicorn's plain gthread worker instead of the platform's
(`GUNICORN_CMD_ARGS=--worker-class gthread`), to see what the worker changed; a slow client
the gateway never cuts off is given up after `--give-up` seconds.

    python -m bench.slow_clients [--slow 50] [--clients 4] [--seconds 5] [--header-timeout 10]
        [--body-timeout 10] [--workers 2] [--threads 4] [--stock]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import urllib3

from bench._stats import percentile
from bench.gateway_overhead import NIP, free_port, prepare, start_web, wait_ready
from chassis.auth import sign_token

PATH = f"/api/v1/appraisal/employees/{NIP}"


class SlowClient(threading.Thread):
    """One connection sending its request one byte a second until the gateway cuts it off."""

    def __init__(self, port: int, kind: str, give_up: float) -> None:
        super().__init__(daemon=True)
        self.port, self.kind, self.give_up = port, kind, give_up
        if kind == "headers":
            self.head = b"GET /live HTTP/1.1\r\nHost: gw\r\n"
            self.trickle = b"X-Slow: " + b"a" * 500
        else:
            self.head = (
                b"POST /api/v1/appraisal/periods HTTP/1.1\r\nHost: gw\r\n"
                b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
            )
            self.trickle = b"x" * 500
        self.connected = threading.Event()
        self.held: float | None = None  # seconds from connect to cut-off
        self.outcome = "not cut off"

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            start = time.monotonic()
            sock.sendall(self.head)
            self.connected.set()
            sock.settimeout(1.0)
            sent, answer = 0, b""
            while time.monotonic() - start < self.give_up:
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    try:
                        sock.sendall(self.trickle[sent : sent + 1])
                    except OSError:
                        pass
                    sent = min(sent + 1, len(self.trickle) - 1)
                    continue
                except OSError:
                    data = b""
                if self.held is None:
                    self.held = time.monotonic() - start
                if not data:
                    break
                answer += data
            if self.held is not None:
                self.outcome = answer.split(b" ", 2)[1].decode() if answer else "closed"


def normal_clients(port: int, token: str, clients: int, seconds: float) -> dict:
    """`clients` threads calling the gateway for `seconds`: latencies, throughput, failures."""
    durations: list[float] = []
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop() -> None:
        pool = urllib3.HTTPConnectionPool(
            "127.0.0.1", port, maxsize=1, timeout=urllib3.Timeout(total=15), retries=False
        )
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status = pool.request("GET", PATH, headers=headers).status
            except urllib3.exceptions.HTTPError as exc:
                status, reason = 0, type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    durations.append(elapsed)
                else:
                    failures.append(reason if status == 0 else str(status))

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began

    def cut(q: float) -> float | None:
        return round(percentile(durations, q), 2) if durations else None

    return {
        "answered": len(durations),
        "failed": len(failures),
        "failures": sorted(set(failures)),
        "per_second": round(len(durations) / wall, 1),
        "p50_ms": cut(50),
        "p95_ms": cut(95),
        "p99_ms": cut(99),
        "max_ms": round(max(durations), 2) if durations else None,
    }


def cut_offs(slow: list[SlowClient]) -> dict:
    """When and how the slow clients were cut off, by kind."""
    figures = {}
    for kind in ("headers", "body"):
        group = [client for client in slow if client.kind == kind]
        held = [client.held for client in group if client.held is not None]
        outcomes: dict[str, int] = {}
        for client in group:
            outcomes[client.outcome] = outcomes.get(client.outcome, 0) + 1
        figures[kind] = {
            "clients": len(group),
            "outcomes": outcomes,
            "held_s": {
                "min": round(min(held), 2),
                "median": round(statistics.median(held), 2),
                "max": round(max(held), 2),
            }
            if held
            else None,
        }
    return figures


def run(args: argparse.Namespace) -> dict:
    """Start both processes, measure without and with slow clients, stop them."""
    with tempfile.TemporaryDirectory(prefix="sofifi-bench-slow-") as tmp:
        folder = Path(tmp)
        shared = prepare(folder)
        common = {
            key: shared[key]
            for key in ("SOFIFI_VAR_DIR", "JWT_PUBLIC_KEY_FILE", "JWT_PRIVATE_KEY_FILE", "AMQP_URL")
        }
        common |= {
            "WEB_CONCURRENCY": str(args.workers),
            "WEB_THREADS": str(args.threads),
            "HTTP_HEADER_TIMEOUT": str(args.header_timeout),
            "HTTP_BODY_TIMEOUT": str(args.body_timeout),
            "LOG_LEVEL": "WARNING",
        }
        if args.stock:
            common["GUNICORN_CMD_ARGS"] = "--worker-class gthread"
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
            normal_clients(gateway_port, token, args.clients, 1.0)  # warm-up
            alone = normal_clients(gateway_port, token, args.clients, args.seconds)
            slow = [
                SlowClient(gateway_port, "headers" if i % 2 else "body", args.give_up)
                for i in range(args.slow)
            ]
            for client in slow:
                client.start()
            for client in slow:
                client.connected.wait(10)
            time.sleep(0.5)
            beside_slow = normal_clients(gateway_port, token, args.clients, args.seconds)
            for client in slow:
                client.join(args.give_up + 5)
        finally:
            for process in (gateway, service):
                process.terminate()
            for process in (gateway, service):
                process.wait(20)
    return {
        "benchmark": "slow_clients",
        "worker": "gthread (stock)" if args.stock else "chassis.gunicorn_worker.JsonErrorWorker",
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "deadlines_s": {"header": args.header_timeout, "body": args.body_timeout},
        "normal_call": f"GET {PATH} (admin token, 200), {args.clients} clients",
        "load_average": list(os.getloadavg()),
        "without_slow_clients": alone,
        f"with_{args.slow}_slow_clients": beside_slow,
        "slow_clients_cut_off": cut_offs(slow),
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=50, help="slow clients")
    parser.add_argument("--clients", type=int, default=4, help="normal clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="timed part of each run")
    parser.add_argument("--header-timeout", type=float, default=10.0, help="HTTP_HEADER_TIMEOUT")
    parser.add_argument("--body-timeout", type=float, default=10.0, help="HTTP_BODY_TIMEOUT")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--stock", action="store_true", help="gunicorn's plain gthread worker")
    parser.add_argument("--give-up", type=float, default=60.0, help="seconds a slow client waits")
    args = parser.parse_args(argv)
    print(json.dumps(run(args), indent=2))


if __name__ == "__main__":
    main()
