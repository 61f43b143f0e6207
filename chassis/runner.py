"""Running the platform locally: every process under one supervisor, or one process (no broker)."""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from chassis import accounts
from chassis.bus import broker_reachable, connect
from chassis.config import DEFAULT_PORTS, SERVICE_NAMES, Settings
from chassis.logs import configure_logging

log = logging.getLogger("sofifi.run")

RESTARTS_PER_MINUTE = 5


def app_factory(target: str) -> str:
    """The gunicorn app path of a service or the gateway."""
    module = "gateway.app" if target == "gateway" else f"services.{target}.app"
    return f"{module}:create_app()"


def web_environment(target: str, settings: Settings) -> dict[str, str]:
    """Variables a web process needs beyond the caller's (metrics folder, port, name)."""
    metrics_dir = Path(
        os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.var_dir / "metrics" / target
    )
    # Stale sample files of an earlier run would be added to this run's figures.
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    return {
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "PORT": str(settings.port),
        "SOFIFI_SERVICE": target,
    }


def web_command(target: str) -> list[str]:
    """The gunicorn command line of a web process."""
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
    return [gunicorn, "-c", "python:chassis.gunicorn_conf", app_factory(target)]


def setup(var_dir: Path | None = None) -> None:
    """Make the dev keys if missing and migrate every database."""
    from chassis.auth import generate_keypair
    from chassis.cli import ALL_TARGETS, migration_target
    from chassis.migrations import upgrade

    gateway_settings = Settings.from_env("gateway")
    if generate_keypair(
        gateway_settings.jwt_private_key_file, gateway_settings.jwt_public_key_file
    ):
        log.info(
            "dev keys written", extra={"folder": str(gateway_settings.jwt_private_key_file.parent)}
        )
    for name in ALL_TARGETS:
        folder, url = migration_target(name, Settings.from_env(name))
        upgrade(folder, url)


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env={**os.environ, **self.env})

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()


def run_stack(skip_setup: bool = False) -> int:
    """Run everything until Ctrl-C; returns the exit code."""
    settings = Settings.from_env("gateway")
    configure_logging("run", settings.log_level)
    if not skip_setup:
        setup()
    if not broker_reachable(settings.amqp_url):
        log.warning(
            "no broker reachable: running the whole platform in ONE process on kombu's in-memory "
            "transport (events do not survive a restart; start RabbitMQ for the real thing)",
            extra={"amqp_url": _safe_url(settings.amqp_url)},
        )
        return run_in_one_process()
    return supervise(_children(service_accounts(settings)))


def service_accounts(settings: Settings) -> dict[str, str]:
    """Each service's own broker user (chassis.accounts) when the broker is on this machine,
    with the whole topology declared first on AMQP_URL's account; else {} and a log line."""
    urls = accounts.local_service_urls(settings.amqp_url, settings.event_exchange, SERVICE_NAMES)
    if not urls:
        log.warning(
            "could not make a broker user per service (the broker is not local, or rabbitmqctl "
            "cannot run): every process uses AMQP_URL's one account, and consumers cannot tell "
            "who published an event",
            extra={"amqp_url": _safe_url(settings.amqp_url)},
        )
        return {}
    # Each worker then declares only its own queues: every queue must exist before any
    # service publishes (the broker drops what no queue is bound for).
    from chassis.cli import _consumers
    from chassis.worker import topology_for

    with connect(settings.amqp_url) as connection:
        topology_for(settings).declare(connection, _consumers())
    path = settings.var_dir / accounts.ACCOUNTS_FILE
    accounts.write_accounts_file(path, urls)
    log.info("one broker user per service", extra={"services": sorted(urls), "file": str(path)})
    return urls


def _safe_url(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return maybe_sanitize_url(url)


def local_ports() -> dict[str, int]:
    """Where each web process listens locally: a service on the port of its <SERVICE>_URL (so
    the gateway finds it), the gateway on PORT (8080 by default)."""
    gateway = Settings.from_env("gateway")
    ports = {
        name: urlsplit(url).port or DEFAULT_PORTS[name]
        for name, url in gateway.service_urls.items()
    }
    ports["gateway"] = gateway.port
    return ports


def _children(amqp_urls: dict[str, str] | None = None) -> list[Child]:
    """Every web and worker process; a service's on its own broker user when `amqp_urls` has
    one, the gateway on none (it never touches the broker)."""
    amqp_urls = amqp_urls or {}
    sofifi = str(Path(sys.executable).parent / "sofifi")
    if not Path(sofifi).exists():
        sofifi = shutil.which("sofifi") or "sofifi"
    ports = local_ports()
    broker = {name: {"AMQP_URL": url} for name, url in amqp_urls.items()}
    broker = {name: broker.get(name, {}) for name in SERVICE_NAMES}
    broker["gateway"] = {"AMQP_URL": "memory://"}  # no broker credentials at all
    children = [
        Child(f"web:{name}", [sofifi, "web", name], {"PORT": str(ports[name]), **broker[name]})
        for name in (*SERVICE_NAMES, "gateway")
    ]
    children += [
        Child(f"worker:{name}", [sofifi, "worker", name], broker[name]) for name in SERVICE_NAMES
    ]
    return children


def supervise(children: list[Child]) -> int:
    """Start the children, restart one that dies (a few times a minute at most), stop on signal."""
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    for child in children:
        child.start()
    threading.Thread(target=_announce_when_ready, args=(stopping,), daemon=True).start()
    exit_code = 0
    while not stopping.wait(0.5):
        for child in children:
            if child.process is not None and child.process.poll() is not None:
                now = time.monotonic()
                child.restarts = [t for t in child.restarts if now - t < 60] + [now]
                if len(child.restarts) > RESTARTS_PER_MINUTE:
                    log.error(
                        "process keeps dying; stopping everything", extra={"child": child.name}
                    )
                    exit_code = 1
                    stopping.set()
                    break
                log.warning(
                    "process exited; restarting",
                    extra={"child": child.name, "code": child.process.returncode},
                )
                child.start()
    for child in children:
        child.stop()
    for child in children:
        if child.process is not None:
            try:
                child.process.wait(20)
            except subprocess.TimeoutExpired:
                child.process.kill()
    return exit_code


def _announce_when_ready(stopping: threading.Event, timeout: float = 120.0) -> None:
    url = f"http://127.0.0.1:{local_ports()['gateway']}/health"
    deadline = time.monotonic() + timeout
    while not stopping.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    log.info(
                        "platform ready",
                        extra={
                            "gateway": url.rsplit("/", 1)[0],
                            "docs": url.replace("/health", "/api/v1/docs"),
                        },
                    )
                    return
        except Exception:  # noqa: S110 - not up yet
            pass
        stopping.wait(1.0)


def run_in_one_process() -> int:
    """Every app and worker in this process, on kombu's memory transport (no broker needed)."""
    from werkzeug.serving import make_server

    from chassis.worker import Worker
    from gateway.app import create_app as create_gateway
    from services import load_spec

    overrides = {"AMQP_URL": "memory://"}
    ports = local_ports()
    specs = [load_spec(name) for name in SERVICE_NAMES]
    consumers = {spec.name: spec.consumes for spec in specs if spec.handlers}
    servers, workers = [], []
    for spec in specs:
        name = spec.name
        app = importlib.import_module(f"services.{name}.app").create_app(overrides)
        servers.append(make_server("127.0.0.1", ports[name], app, threaded=True))
        worker = Worker(spec, Settings.from_env(name, overrides), consumers)
        worker.start()
        workers.append(worker)
    gateway_app = create_gateway(overrides)
    servers.append(make_server("127.0.0.1", ports["gateway"], gateway_app, threaded=True))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    threading.Thread(target=_announce_when_ready, args=(stopping,), daemon=True).start()
    while not stopping.wait(1.0):
        pass
    for server in servers:
        server.shutdown()
    for worker in workers:
        worker.shutdown()
    return 0
