"""`sofifi demo` on a freshly started platform, then again; prints the figures as JSON.

The whole platform is started as `make run` starts it (`sofifi run`: keys, migrations, six
gunicorn web processes and five workers; web concurrency as configured, default 2 by 4), on free
ports, a temporary SOFIFI_VAR_DIR and a fresh vhost of the local RabbitMQ; `sofifi demo --json`
runs against it twice. Reported: seconds and counts per service of each run (the second should
create nothing), the platform's start-up time and the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import urllib3

from bench._env import free_ports, fresh_vhost
from sofifi.registry import SERVICE_NAMES

SOFIFI = str(Path(sys.executable).parent / "sofifi")


@contextmanager
def platform(amqp_url: str, folder: Path):
    """`sofifi run` on free ports; yields (environment, start-up seconds); stops it after."""
    ports = dict(zip((*SERVICE_NAMES, "gateway"), free_ports(len(SERVICE_NAMES) + 1), strict=True))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PORT")}
    env |= {
        "SOFIFI_VAR_DIR": str(folder / "var"),
        "AMQP_URL": amqp_url,
        "PORT": str(ports["gateway"]),
        **{f"{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in SERVICE_NAMES},
    }
    started = time.monotonic()
    with (folder / "platform.log").open("w") as log:
        process = subprocess.Popen(
            [SOFIFI, "run"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    http = urllib3.PoolManager(timeout=5, retries=False)
    try:
        while True:
            if process.poll() is not None or time.monotonic() - started > 180:
                raise SystemExit(f"the platform did not start; see {folder / 'platform.log'}")
            try:
                if http.request("GET", f"http://127.0.0.1:{ports['gateway']}/health").status == 200:
                    break
            except urllib3.exceptions.HTTPError:
                pass
            time.sleep(0.5)
        yield env, time.monotonic() - started
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def run_demo(env: dict[str, str], size: int) -> dict:
    """One `sofifi demo --json`: its report and the wall time of the command."""
    started = time.monotonic()
    result = subprocess.run(
        [SOFIFI, "demo", "--json", "--size", str(size)],
        env=env, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"sofifi demo failed ({result.returncode}): {result.stdout[-3000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report.pop("accounts")
    return {"wall_seconds": round(time.monotonic() - started, 2), **report}


def main(argv: list[str] | None = None) -> None:
    """Start a platform, run the demo twice, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300)
    args = parser.parse_args(argv)
    base = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672//")
    with (
        tempfile.TemporaryDirectory(prefix="sofifi-bench-demo-") as folder,
        fresh_vhost(base) as amqp_url,
        platform(amqp_url, Path(folder)) as (env, startup),
    ):
        load_before = os.getloadavg()[0]
        first = run_demo(env, args.size)
        second = run_demo(env, args.size)
    figures = {
        "platform_startup_seconds": round(startup, 1),
        "load_average_1min_before": round(load_before, 2),
        "first_run": first,
        "second_run": second,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
