"""Running the platform locally: every process under one supervisor, or one process (no broker).

Both modes stop within a few seconds of SIGINT or SIGTERM whatever their threads are doing (a
second signal ends them at once), and refuse to start when a port they need is taken.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
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
from chassis.config import Settings, env
from chassis.logs import configure_logging
from chassis.signals import Signals
from chassis.worker import topology_for
from sofifi import registry

log = logging.getLogger("sofifi.run")

RESTARTS_PER_MINUTE = 5
# Containers get 10 s between SIGTERM and SIGKILL: everything is down well before that.
STOP_SECONDS = 6.0


class PortTaken(RuntimeError):
    """A port the platform needs is already in use."""


def app_factory(target: str) -> str:
    """The gunicorn app path of a service or the gateway (built by the registry)."""
    return f"sofifi.registry:create_app({target!r})"


def web_environment(target: str, settings: Settings) -> dict[str, str]:
    """Variables a web process needs beyond the caller's (metrics folder, port, name)."""
    metrics_dir = Path(env("PROMETHEUS_MULTIPROC_DIR") or settings.var_dir / "metrics" / target)
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


def setup() -> None:
    """Make the dev keys if missing and migrate every database."""
    from chassis.auth import generate_keypair
    from chassis.migrations import upgrade

    gateway_settings = registry.settings("gateway")
    if generate_keypair(
        gateway_settings.jwt_private_key_file, gateway_settings.jwt_public_key_file
    ):
        log.info(
            "dev keys written", extra={"folder": str(gateway_settings.jwt_private_key_file.parent)}
        )
    for name in registry.ALL_TARGETS:
        upgrade(registry.migrations_dir(name), registry.settings(name).database_url)


def local_ports() -> dict[str, int]:
    """Where each web process listens locally: a service on the port of its <SERVICE>_URL (so
    the gateway finds it), the gateway on PORT (8080 by default)."""
    gateway = registry.settings("gateway")
    ports = {
        name: urlsplit(url).port or registry.PORTS[name]
        for name, url in gateway.service_urls.items()
    }
    ports["gateway"] = gateway.port
    return ports


def gateway_url(host: str, port: int) -> str:
    """Where the services of a local run find the gateway (GATEWAY_URL, unless it is set)."""
    if os.environ.get("GATEWAY_URL"):
        return os.environ["GATEWAY_URL"]
    reachable = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    return f"http://{reachable}:{port}"


def check_ports(host: str, ports: dict[str, int]) -> None:
    """Raise PortTaken naming every port that something already listens on."""
    taken = []
    for name, port in ports.items():
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                taken.append(f"{port} ({name})")
    if taken:
        raise PortTaken(
            f"port {', '.join(taken)} already in use on {host}: stop what holds it (another "
            "`sofifi run`?) or choose other ports with PORT and <SERVICE>_URL"
        )


def run_stack(skip_setup: bool = False) -> int:
    """Run everything until Ctrl-C; returns the exit code."""
    settings = registry.settings("gateway")
    configure_logging("run", settings.log_level)
    try:
        check_ports(env("HOST"), local_ports())
    except PortTaken as exc:
        log.error("cannot start: %s", exc)
        return 2
    if not skip_setup:
        setup()
    if not broker_reachable(settings.amqp_url):
        from sofifi.standalone import run_in_one_process

        log.warning(
            "no broker reachable: running the whole platform in ONE process on kombu's in-memory "
            "transport (events do not survive a restart; start RabbitMQ for the real thing)",
            extra={"amqp_url": _safe_url(settings.amqp_url)},
        )
        return run_in_one_process()
    return supervise(_children(service_accounts(settings)))


def _safe_url(url: str) -> str:
    from chassis.bus import safe_url

    return safe_url(url)


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        # Its own session: Ctrl-C reaches the supervisor alone, which stops the children in
        # order, and a forced stop can kill a child's whole group (gunicorn's workers too).
        self.process = subprocess.Popen(
            self.command, env={**os.environ, **self.env}, start_new_session=True
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def service_accounts(settings: Settings) -> dict[str, str]:
    """Each service's own broker user (chassis.accounts) when the broker is on this machine,
    with the whole topology declared first on AMQP_URL's account; else {} and a log line."""
    urls = accounts.local_service_urls(
        settings.amqp_url, settings.event_exchange, registry.SERVICE_NAMES
    )
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
    with connect(settings.amqp_url) as connection:
        topology_for(settings).declare(connection, registry.consumers())
    path = settings.var_dir / accounts.ACCOUNTS_FILE
    accounts.write_accounts_file(path, urls)
    log.info("one broker user per service", extra={"services": sorted(urls), "file": str(path)})
    return urls


def _children(amqp_urls: dict[str, str] | None = None) -> list[Child]:
    """Every web and worker process; a service's on its own broker user when `amqp_urls` has
    one, the gateway on none (it never touches the broker)."""
    amqp_urls = amqp_urls or {}
    sofifi = str(Path(sys.executable).parent / "sofifi")
    if not Path(sofifi).exists():
        sofifi = shutil.which("sofifi") or "sofifi"
    ports = local_ports()
    broker = {name: {"AMQP_URL": url} for name, url in amqp_urls.items()}
    broker = {name: broker.get(name, {}) for name in registry.SERVICE_NAMES}
    broker["gateway"] = {"AMQP_URL": "memory://"}  # no broker credentials at all
    # Services read the revoked tokens from the gateway: the one this run starts.
    revocations = {"GATEWAY_URL": gateway_url(env("HOST"), ports["gateway"])}
    children = [
        Child(
            f"web:{name}",
            [sofifi, "web", name],
            {"PORT": str(ports[name]), **broker[name], **revocations},
        )
        for name in registry.ALL_TARGETS
    ]
    children += [
        Child(f"worker:{name}", [sofifi, "worker", name], broker[name])
        for name in registry.SERVICE_NAMES
    ]
    return children


STOP = (signal.SIGINT, signal.SIGTERM)


def supervise(children: list[Child]) -> int:
    """Start the children, restart one that dies (a few times a minute at most), stop on signal."""
    # SIGCHLD wakes the loop when a child dies; otherwise it sleeps (no needless wake-ups).
    signals = Signals((*STOP, signal.SIGCHLD))
    stopping = threading.Event()
    exit_code = 0
    try:
        for child in children:
            child.start()
        threading.Thread(target=announce_when_ready, args=(stopping,), daemon=True).start()
        while not stopping.is_set():
            if set(signals.wait(30.0)) & set(STOP):
                break
            exit_code = _restart_dead(children, stopping) or exit_code
        stopping.set()
        stop_children(children, signals)
    finally:
        signals.close()
    return exit_code


def _restart_dead(children: list[Child], stopping: threading.Event) -> int:
    for child in children:
        if stopping.is_set() or child.process is None or child.alive():
            continue
        now = time.monotonic()
        child.restarts = [t for t in child.restarts if now - t < 60] + [now]
        if len(child.restarts) > RESTARTS_PER_MINUTE:
            log.error("process keeps dying; stopping everything", extra={"child": child.name})
            stopping.set()
            return 1
        log.warning(
            "process exited; restarting",
            extra={"child": child.name, "code": child.process.returncode},
        )
        child.start()
    return 0


def stop_children(children: list[Child], signals: Signals, timeout: float = STOP_SECONDS) -> None:
    """SIGTERM every child; SIGKILL the groups still there after `timeout` or a second signal."""
    log.info("stopping", extra={"processes": len(children)})
    for child in children:
        if child.alive():
            child.signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(child.alive() for child in children) and time.monotonic() < deadline:
        if set(signals.wait(0.1)) & set(STOP):
            break  # asked twice: no more waiting
    for child in children:
        if child.alive():
            log.warning("process did not stop in time; killed", extra={"child": child.name})
        # Also a gunicorn worker its master left behind.
        child.signal(signal.SIGKILL)
    for child in children:
        if child.process is not None:
            child.process.wait(5)


def announce_when_ready(stopping: threading.Event, timeout: float = 120.0) -> None:
    """Once the gateway answers /health: the banner (terminal) or a "platform ready" line."""
    from sofifi.console import announce_ready

    url = f"http://127.0.0.1:{local_ports()['gateway']}/health"
    deadline = time.monotonic() + timeout
    while not stopping.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    announce_ready(url.rsplit("/", 1)[0])
                    return
        except Exception:  # noqa: S110 - not up yet
            pass
        stopping.wait(1.0)
