"""Idle cost of the whole platform: `sofifi run` on a fresh var dir and the real broker, left
alone once ready; the CPU of every one of its processes over a minute, as % of one core.

    python -m bench.idle [--seconds 60] [--sofifi PATH-TO-ANOTHER-CHECKOUT'S-sofifi]

It then stops the platform with SIGTERM and reports how long every process took to exit.
Target (issue 8): under 2 % of one core in total.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import urllib3

from bench._env import free_ports, fresh_vhost
from sofifi.registry import SERVICE_NAMES

TARGET_PERCENT = 2.0


def platform_env(var_dir: Path, amqp_url: str, ports: dict[str, int]) -> dict[str, str]:
    """The environment of a `sofifi run` on `var_dir` and these ports (nothing inherited that
    would point it elsewhere)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "PORT", "PROMETHEUS_MULTIPROC_DIR")
        and not key.endswith("_URL")
    }
    env.update(
        {
            "SOFIFI_VAR_DIR": str(var_dir),
            "AMQP_URL": amqp_url,
            "PORT": str(ports["gateway"]),
            **{f"{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in SERVICE_NAMES},
        }
    )
    return env


@contextmanager
def started(sofifi: str, env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """`sofifi run` in its own session; killed (whole group) if still there at the end."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sofifi, "run"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def wait_ready(gateway: str, process: subprocess.Popen, timeout: float = 180.0) -> float:
    """Seconds until the gateway's /health answers 200 (raises if it never does)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"sofifi run exited with {process.returncode} before ready")
        try:
            if urllib3.request("GET", f"{gateway}/health", timeout=2, retries=False).status == 200:
                return time.monotonic() - began
        except urllib3.exceptions.HTTPError:
            pass  # not up yet
        time.sleep(0.5)
    raise RuntimeError("the platform did not become ready")


def tree(pid: int) -> list[psutil.Process]:
    """A process and all its descendants."""
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def cpu_of(processes: list[psutil.Process]) -> dict[int, tuple[str, float]]:
    """pid -> (short name, user + system CPU seconds so far), for those still alive."""
    figures = {}
    for process in processes:
        try:
            with process.oneshot():
                times = process.cpu_times()
                figures[process.pid] = (_name(process), times.user + times.system)
        except psutil.NoSuchProcess:
            continue
    return figures


def _name(process: psutil.Process) -> str:
    args = process.cmdline()
    tail = [a for a in args[1:] if not a.startswith("-")]
    app = next((a for a in args if "create_app" in a), None)
    if app is not None:  # a gunicorn master or worker: named by its app
        target = app.split("(")[-1].strip(")'\"") or app.split(":")[0].split(".")[-2]
        return f"gunicorn {target}"
    return " ".join(Path(a).name for a in tail[:3]) or process.name()


def stop_and_time(process: subprocess.Popen, processes: list[psutil.Process]) -> dict[str, Any]:
    """SIGTERM the supervisor; seconds until it and until every process of its tree exited."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(60)
    supervisor = time.monotonic() - began
    _gone, alive = psutil.wait_procs(processes, timeout=30)
    return {
        "signal": "SIGTERM",
        "supervisor_exit_s": round(supervisor, 2),
        "all_processes_exit_s": round(time.monotonic() - began, 2),
        "processes": len(processes),
        "left_running": [p.pid for p in alive],
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Start, wait for ready, settle, sample CPU over `seconds`, stop."""
    amqp_base = os.environ.get("AMQP_URL") or "amqp://guest:guest@localhost:5672//"
    names = (*SERVICE_NAMES, "gateway")
    with tempfile.TemporaryDirectory(prefix="sofifi-idle-") as root, fresh_vhost(amqp_base) as amqp:
        ports = dict(zip(names, free_ports(len(names)), strict=True))
        env = platform_env(Path(root) / "var", amqp, ports)
        gateway = f"http://127.0.0.1:{ports['gateway']}"
        log_path = Path(args.log) if args.log else Path(root) / "platform.log"
        with started(args.sofifi, env, log_path) as process:
            ready_s = wait_ready(gateway, process)
            time.sleep(args.settle)
            processes = tree(process.pid)
            before, began = cpu_of(processes), time.monotonic()
            time.sleep(args.seconds)
            after, wall = cpu_of(processes), time.monotonic() - began
            stop = stop_and_time(process, processes)
    per_process: dict[str, float] = {}
    for pid, (name, seconds) in after.items():
        if pid in before:
            used = seconds - before[pid][1]
            per_process[name] = per_process.get(name, 0.0) + used / wall * 100
    total = sum(per_process.values())
    return {
        "benchmark": "idle",
        "sofifi": args.sofifi,
        "processes": len(processes),
        "ready_after_s": round(ready_s, 1),
        "seconds": round(wall, 1),
        "cpu_percent_of_one_core": round(total, 2),
        "target_percent": TARGET_PERCENT,
        "meets_target": total < TARGET_PERCENT,
        "by_process": {k: round(v, 3) for k, v in sorted(per_process.items(), key=lambda i: -i[1])},
        "stop": stop,
        "load_avg": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> None:
    """Measure the idle platform and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=5.0, help="pause after ready")
    parser.add_argument("--sofifi", default=str(Path(sys.executable).parent / "sofifi"))
    parser.add_argument("--log", help="keep the platform's log in this file")
    print(json.dumps(measure(parser.parse_args(argv)), indent=2))


if __name__ == "__main__":
    main()
