"""docker-compose.yml for real, on a Docker engine, with images built from Debian packages only.

Runs when a Docker engine answers (and always under CI=true: .ci/run installs and starts one;
without it the test fails there rather than skipping). No image registry is needed: every image
comes from deploy/debian/build-images.sh (`make images-debian`; the debootstrap tarball is cached
under var/debian, and Docker caches the layers). Then, on a project of its own with the example
passwords: `up -d` -> every container healthy (one-shots exited 0) -> an employee created through
the gateway reaches the four projections -> the broker container restarted -> a second employee
still propagates -> `down -v`. The seconds of each step are printed (`pytest -s`) and in the
report's `user_properties`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CONSUMERS = ("appraisal", "training", "awards", "feedback")
ADMIN_PASSWORD = "compose test admin password"
ONE_SHOTS = ("rabbitmq-definitions", "jwt-keys")


def docker_engine() -> bool:
    if not shutil.which("docker"):
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, check=False, timeout=30)
    return probe.returncode == 0


def compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return ["docker", "compose"] if probe.returncode == 0 else None


if not docker_engine() or compose_command() is None:
    if os.environ.get("CI") == "true":
        pytest.fail("CI: no Docker engine or compose (.ci/run starts one)", pytrace=False)
    pytest.skip("no Docker engine here", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Compose:
    def __init__(self, env_file: Path, project: str) -> None:
        self.command = [*compose_command(), "-p", project, "--env-file", str(env_file)]
        self.project = project

    def run(self, *args: str, timeout: float = 600, check: bool = True) -> str:
        result = subprocess.run(
            [*self.command, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"compose {' '.join(args)}: {result.stderr[-3000:]}")
        return result.stdout

    def containers(self) -> dict[str, dict]:
        ids = self.run("ps", "-a", "-q").split()
        if not ids:
            return {}
        inspected = json.loads(
            subprocess.run(
                ["docker", "inspect", *ids], capture_output=True, text=True, check=True
            ).stdout
        )
        return {c["Config"]["Labels"]["com.docker.compose.service"]: c["State"] for c in inspected}

    def wait_healthy(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while True:
            states = self.containers()
            waiting = {}
            for service, state in states.items():
                if service in ONE_SHOTS or service.startswith("migrate-"):
                    if state["Status"] != "exited" or state["ExitCode"] != 0:
                        waiting[service] = f"{state['Status']} {state['ExitCode']}"
                elif (state.get("Health") or {}).get("Status") != "healthy":
                    waiting[service] = (state.get("Health") or {}).get("Status", state["Status"])
            if states and not waiting:
                return
            failed = {
                s: w for s, w in waiting.items() if w.startswith("exited") and w != "exited 0"
            }
            if failed or time.monotonic() > deadline:
                logs = self.run("logs", "--tail", "30", *waiting, check=False)
                raise AssertionError(f"not healthy: {waiting}\n{logs[-6000:]}")
            time.sleep(3)


def call(method: str, url: str, body=None, token: str | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http only
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def employee(n: int) -> dict:
    return {
        "nip": f"19850312201001{2000 + n}"[:18],
        "name": f"Pegawai Compose {n}",
        "gender": "F",
        "birth_date": "1985-03-12",
        "tmt_cpns": "2010-01-01",
        "status": "PNS",
        "unit": "BKD",
        "position": "Analis Kepegawaian",
        "supervisor_nip": None,
    }


def propagates(gateway: str, token: str, person: dict, timeout: float = 120) -> float:
    """Create `person` through the gateway; seconds until the four projections show them."""
    started = time.monotonic()
    status, body = call("POST", f"{gateway}/api/v1/recruitment/employees", person, token)
    assert status == 201, body
    for service in CONSUMERS:
        url = f"{gateway}/api/v1/{service}/employees/{person['nip']}"
        deadline = time.monotonic() + timeout
        while call("GET", url, token=token)[0] != 200:
            assert time.monotonic() < deadline, f"{person['nip']} never reached {service}"
            time.sleep(0.5)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def images() -> Iterator[dict[str, str]]:
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "deploy/debian/build-images.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    names = dict(
        line.split("=", 1)
        for line in (ROOT / "var/debian/images.env").read_text().splitlines()
        if "=" in line
    )
    names["_seconds"] = str(round(time.monotonic() - started))
    yield names


@pytest.fixture
def compose(images, tmp_path) -> Iterator[tuple[Compose, str]]:
    port = free_port()
    example = (ROOT / ".env.example").read_text()
    project = f"sofifi-compose-test-{uuid.uuid4().hex[:6]}"
    overrides = {
        **{k: v for k, v in images.items() if not k.startswith("_")},
        "COMPOSE_PROJECT_NAME": project,
        "GATEWAY_PUBLISH": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    lines = [line for line in example.splitlines() if line.split("=", 1)[0] not in overrides]
    env_file = tmp_path / "compose.env"
    env_file.write_text("\n".join([*lines, *(f"{k}={v}" for k, v in overrides.items())]) + "\n")
    stack = Compose(env_file, project)
    try:
        yield stack, f"http://127.0.0.1:{port}"
    finally:
        stack.run("down", "-v", "--remove-orphans", timeout=300, check=False)


def test_compose_up_propagates_employees_across_a_broker_restart(images, compose, record_property):
    stack, gateway = compose
    seconds = {"build_images": int(images["_seconds"])}
    started = time.monotonic()
    stack.run("up", "-d", "--no-build", timeout=900)
    stack.wait_healthy()
    seconds["up_until_healthy"] = round(time.monotonic() - started)

    stack.run(
        "exec", "-T", "gateway", "sofifi", "user", "create", "--username", "compose-admin",
        "--role", "admin", "--password", ADMIN_PASSWORD,
    )  # fmt: skip
    status, body = call(
        "POST",
        f"{gateway}/api/v1/auth/token",
        {"username": "compose-admin", "password": ADMIN_PASSWORD},
    )
    assert status == 200, body
    token = body["access_token"]
    seconds["first_employee"] = round(propagates(gateway, token, employee(1)), 1)

    restarted = time.monotonic()
    stack.run("restart", "rabbitmq", timeout=300)
    stack.wait_healthy()
    seconds["broker_restart_until_healthy"] = round(time.monotonic() - restarted)
    seconds["second_employee"] = round(propagates(gateway, token, employee(2)), 1)
    seconds["total_after_build"] = round(time.monotonic() - started)
    record_property("compose_seconds", seconds)
    print("compose test seconds:", json.dumps(seconds))
