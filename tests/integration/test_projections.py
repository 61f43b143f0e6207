"""`recruitment.employee.appointed` from an independent client reaches all four consumers.

Each consuming service runs as its real worker process (`sofifi worker <service>`) on its own
PostgreSQL database; the projection is read back through the service's own HTTP API.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chassis.migrations import upgrade
from chassis.testing.plugin import Keys, Postgres
from sofifi.registry import load_spec
from tests.integration.support import APPOINTED, Pika, appointed_envelope, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]

SOFIFI = str(Path(sys.executable).parent / "sofifi")
CONSUMERS = ("appraisal", "training", "awards", "feedback")


class WorkerProcess:
    """`sofifi worker <service>` as a child process, its JSON log in a file."""

    def __init__(self, service: str, env: dict[str, str], log_path: Path) -> None:
        self.service, self.log_path = service, log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [SOFIFI, "worker", service],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def started(self) -> bool:
        assert self.process.poll() is None, f"{self.service} worker exited:\n{self.log()}"
        return "worker started" in self.log()

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self) -> None:
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture
def databases(postgres: Postgres) -> Iterator[dict[str, str]]:
    """A fresh, migrated PostgreSQL database per consuming service."""
    urls: dict[str, str] = {}
    try:
        for service in CONSUMERS:
            urls[service] = postgres.new_database()
            upgrade(load_spec(service).migrations_dir, urls[service])
        yield urls
    finally:
        for url in urls.values():
            postgres.drop_database(url)


@pytest.fixture
def running_workers(
    amqp_url: str, databases: dict[str, str], keys: Keys, tmp_path: Path
) -> Iterator[dict[str, WorkerProcess]]:
    """The four consuming services' workers, started and ready (their queues declared)."""
    processes: dict[str, WorkerProcess] = {}
    try:
        for service in CONSUMERS:
            env = {
                **os.environ,
                "AMQP_URL": amqp_url,
                "DATABASE_URL": databases[service],
                "JWT_PUBLIC_KEY_FILE": str(keys.public),
                "JWT_PRIVATE_KEY_FILE": str(keys.private),
                "SOFIFI_VAR_DIR": str(tmp_path / "var"),
                "LOG_LEVEL": "INFO",
            }
            processes[service] = WorkerProcess(service, env, tmp_path / f"{service}-worker.log")
        for worker in processes.values():
            wait_for(worker.started, 60, f"the {worker.service} worker to start", every=0.2)
        yield processes
    finally:
        for worker in processes.values():
            worker.terminate()
        for worker in processes.values():
            worker.wait()


def test_appointed_employee_reaches_every_projection(
    running_workers: dict[str, WorkerProcess],
    databases: dict[str, str],
    rabbit: Pika,
    keys: Keys,
    tmp_path: Path,
):
    event = appointed_envelope(42, correlation_id="it-appointed-corr-0042")
    nip = event["data"]["nip"]
    rabbit.publish(event, APPOINTED)

    for service in CONSUMERS:
        app = importlib.import_module(f"services.{service}.app").create_app(
            {
                "DATABASE_URL": databases[service],
                "AMQP_URL": "memory://",
                "JWT_PUBLIC_KEY_FILE": str(keys.public),
                "SOFIFI_VAR_DIR": str(tmp_path / "var"),
                "TESTING": True,
            }
        )
        with app.test_client() as client:

            def projected(client=client):
                response = client.get(f"/employees/{nip}", headers=keys.headers("admin"))
                return response if response.status_code == 200 else None

            response = wait_for(projected, 30, f"{nip} in the {service} projection", every=0.1)
            assert client.get(f"/employees/{nip}").status_code == 401
        body = response.get_json()
        assert body["nip"] == nip
        assert body["name"] == event["data"]["name"]
        assert body["unit"] == event["data"]["unit"]
        app.extensions["db"].engine.dispose()

    for service, worker in running_workers.items():
        wait_for(
            lambda worker=worker: "it-appointed-corr-0042" in worker.log(),
            10,
            f"the correlation id in the {service} worker's log",
        )
        handled = [
            line
            for line in worker.log().splitlines()
            if "it-appointed-corr-0042" in line and event["event_id"] in line
        ]
        assert handled, f"{service} did not log the event with its correlation id"
