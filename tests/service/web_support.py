"""The gateway's web client under test: a gateway on given backends, users, sign-in, CSRF."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from chassis.db import Database
from chassis.migrations import upgrade
from chassis.uow import UnitOfWork
from gateway.app import MIGRATIONS_DIR, create_app
from gateway.users import create_user
from sofifi.registry import SERVICE_NAMES

PASSWORD = "kopi-sofifi-2024"


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve a WSGI app on a free local port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """A local URL where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture
def web_gateway(service_config: dict[str, str], tmp_path: Path):
    """A gateway app (migrated users database) whose backends are the given URLs."""
    database_url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(MIGRATIONS_DIR, database_url)

    def build(backends: dict[str, str] | None = None, **settings: str):
        urls = {name: (backends or {}).get(name) or closed_port_url() for name in SERVICE_NAMES}
        config = {**service_config, "DATABASE_URL": database_url, **settings}
        config.update({f"{name.upper()}_URL": url for name, url in urls.items()})
        return create_app(config, service_urls=urls)

    return build


def add_user(app, username: str, roles=("admin",), **fields) -> None:
    with app.app_context():
        session = Database.state(app).session_factory()
        create_user(UnitOfWork(session), username, PASSWORD, roles, **fields)
        session.commit()
        session.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    page = client.get("/masuk")
    token = csrf_of(page.get_data(as_text=True))
    return client.post(
        "/masuk", data={"username": username, "password": password, "csrf_token": token}
    )


def session_cookie(client):
    return client.get_cookie("sofifi_session")
