"""What a benchmark runs in: a fresh RabbitMQ vhost and fresh PostgreSQL databases (removed
after), free ports, and the machine's description beside its figures."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from chassis.db import make_engine, normalize_url


def rabbitmqctl(*args: str) -> None:
    """Run rabbitmqctl on the local broker."""
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def fresh_vhost(base_url: str) -> Iterator[str]:
    """A new vhost on the broker of `base_url`; yields its AMQP URL."""
    name = f"sofifi-bench-{uuid.uuid4().hex[:8]}"
    user = urlsplit(base_url).username or "guest"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        parts = urlsplit(base_url)
        yield urlunsplit((parts.scheme, parts.netloc, "/" + quote(name, safe=""), "", ""))
    finally:
        rabbitmqctl("delete_vhost", name)


@contextmanager
def fresh_database(admin_url: str, metadata: MetaData) -> Iterator[str]:
    """A new database with `metadata`'s tables on the server of `admin_url`; yields its URL."""
    name = f"sofifi_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_url(admin_url)).set(database=name).render_as_string(False)
    try:
        engine = make_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def about_machine(load_before: float, **more: Any) -> dict[str, Any]:
    """The machine beside a bench's figures: other work on it skews every figure, so the
    1-minute load before and after the run is reported with them."""
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        **more,
    }


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports (held open together, so none repeats)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def add_event_workload(parser: argparse.ArgumentParser) -> None:
    """The options of the event benches (bus, pipeline): how many events, how written, how
    many raw broker messages, and the steady rate and length of the lag measure."""
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--per-transaction", type=int, default=10)
    parser.add_argument("--raw-messages", type=int, default=50_000)
    parser.add_argument("--lag-rate", type=float, default=200.0)
    parser.add_argument("--lag-seconds", type=float, default=15.0)
