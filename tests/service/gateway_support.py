"""Fixtures and helpers of the gateway tests: real backends served over HTTP, and gateways.

Backends are the real appraisal app (migrated SQLite database, the test keys) and small real WSGI
apps that sleep, each served by werkzeug in a thread on a free port; "down" backends are free
ports nothing listens on.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from chassis.db import make_engine
from chassis.migrations import upgrade
from gateway.app import MIGRATIONS_DIR, create_app
from services.appraisal.app import SPEC
from services.appraisal.app import create_app as create_appraisal
from services.appraisal.models import Employee
from sofifi.registry import SERVICE_NAMES

NIP = "198503122010011001"


class Recorder:
    """WSGI middleware in front of the real service: notes what reached it, changes nothing."""

    def __init__(self, app) -> None:
        self.app = app
        self.calls: list[dict] = []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        self.calls.append(
            {
                "method": environ["REQUEST_METHOD"],
                "path": environ["PATH_INFO"],
                "query": environ.get("QUERY_STRING", ""),
                "headers": headers,
                "body": body,
            }
        )
        return self.app(environ, start_response)

    def service_calls(self) -> list[dict]:
        """Calls other than the readiness probes."""
        return [call for call in self.calls if call["path"] != "/ready"]


def sleeping_app(seconds: float):
    """A real WSGI app that answers (JSON) only after `seconds`."""

    def app(environ, start_response):
        time.sleep(seconds)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "ok", "checks": {}}']

    return app


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve a WSGI app on a free local port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """The URL of a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def appraisal(service_config: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Recorder]]:
    """The real appraisal service, migrated, knowing one employee, served over HTTP."""
    url = f"sqlite:///{tmp_path}/appraisal.db"
    upgrade(SPEC.migrations_dir, url)
    engine = make_engine(url)
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
                as_of=datetime(2024, 1, 5, tzinfo=UTC),
            )
        )
        session.commit()
    engine.dispose()
    recorder = Recorder(create_appraisal({**service_config, "DATABASE_URL": url}))
    with serve(recorder) as base_url:
        yield base_url, recorder


@pytest.fixture
def make_gateway(service_config: dict[str, str], tmp_path: Path):
    """Build a gateway (migrated users database) whose backends are the given URLs."""
    database_url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(MIGRATIONS_DIR, database_url)

    def build(backends: dict[str, str], **settings: str):
        urls = {name: backends.get(name) or closed_port_url() for name in SERVICE_NAMES}
        config = {**service_config, "DATABASE_URL": database_url, **settings}
        config.update({f"{name.upper()}_URL": url for name, url in urls.items()})
        return create_app(config, service_urls=urls).test_client()

    return build
