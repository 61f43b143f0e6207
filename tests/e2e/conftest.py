"""The whole platform started for real (`sofifi run`: six gunicorn web processes, five workers)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import urllib3

from chassis.testing.plugin import Keys
from sofifi.registry import SERVICE_NAMES

SOFIFI = str(Path(sys.executable).parent / "sofifi")


def free_ports(count: int) -> list[int]:
    """`count` distinct ports nothing listens on (all held open together, so none repeats)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Platform:
    """A running platform: where it listens, its environment, its keys and its log."""

    gateway: str
    service_urls: dict[str, str]
    env: dict[str, str]
    keys: Keys
    log_path: Path
    http: urllib3.PoolManager
    process: subprocess.Popen

    def call(self, method: str, url: str, body: object = None, headers: dict | None = None):
        """An HTTP call; returns (status, parsed JSON or None, headers)."""
        payload = None if body is None else json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        response = self.http.request(method, url, body=payload, headers=all_headers)
        data = json.loads(response.data) if response.data else None
        return response.status, data, response.headers

    def sofifi(self, *args: str, input_text: str | None = None) -> subprocess.CompletedProcess:
        """Run the console command against this platform's settings."""
        return subprocess.run(
            [SOFIFI, *args],
            env=self.env,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def log_lines(self) -> list[dict]:
        """Every JSON line the platform's processes logged so far."""
        lines = []
        for raw in self.log_path.read_text(errors="replace").splitlines():
            if raw.startswith("{"):
                try:
                    lines.append(json.loads(raw))
                except ValueError:
                    continue
        return lines


def wait_until(check, timeout: float, interval: float = 0.25, message: str = "condition"):
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as exc:
            last = exc
        time.sleep(interval)
    pytest.fail(f"{message} not reached within {timeout}s (last: {last!r})")


@contextmanager
def running_platform(root: Path, amqp_url: str | None, **extra_env: str) -> Iterator[Platform]:
    """Start `sofifi run` on free ports and a fresh var dir; stop it (SIGTERM) afterwards."""
    keys_dir = root / "var" / "keys"
    keys_dir.mkdir(parents=True)
    keys = Keys(keys_dir)
    names = (*SERVICE_NAMES, "gateway", "no-broker")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    # No URL: an AMQP port where nothing listens, so the platform finds no broker.
    amqp_url = amqp_url or f"amqp://guest:guest@127.0.0.1:{ports['no-broker']}//"
    service_urls = {name: f"http://127.0.0.1:{ports[name]}" for name in SERVICE_NAMES}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "PORT", "PROMETHEUS_MULTIPROC_DIR")
    }
    env.update(
        {
            "SOFIFI_VAR_DIR": str(root / "var"),
            "JWT_PRIVATE_KEY_FILE": str(keys.private),
            "JWT_PUBLIC_KEY_FILE": str(keys.public),
            "AMQP_URL": amqp_url,
            "PORT": str(ports["gateway"]),
            "WEB_CONCURRENCY": "2",
            "WEB_THREADS": "2",
            "LOG_LEVEL": "INFO",
            **{f"{name.upper()}_URL": url for name, url in service_urls.items()},
            **extra_env,
        }
    )
    log_path = root / "platform.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [SOFIFI, "run"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    http = urllib3.PoolManager(timeout=urllib3.Timeout(total=15), retries=False)
    running = Platform(gateway, service_urls, env, keys, log_path, http, process)
    try:
        wait_until(
            lambda: (
                process.poll() is None and http.request("GET", f"{gateway}/health").status == 200
            ),
            timeout=120,
            message="gateway /health answering 200",
        )
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        # Shown by pytest only when a test failed: the platform's own account of it.
        print(log_path.read_text(errors="replace")[-20000:])


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, broker) -> Iterator[Platform]:
    """The platform on the real broker (a fresh vhost), as `make run` starts it."""
    amqp_url = broker.new_vhost()
    try:
        with running_platform(tmp_path_factory.mktemp("platform"), amqp_url) as running:
            yield running
    finally:
        broker.delete_vhost(amqp_url)
