"""The whole platform in one process on kombu's memory transport (no broker needed)."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

from chassis.config import env
from chassis.signals import Signals
from chassis.worker import Worker
from sofifi import registry
from sofifi.runner import STOP, STOP_SECONDS, announce_when_ready, gateway_url, local_ports

log = logging.getLogger("sofifi.run")


def run_in_one_process() -> int:
    """Every app and worker in this process until SIGINT/SIGTERM; never outlives STOP_SECONDS.

    Every port is bound before anything starts, so a taken port fails the start at once. The
    stop is bounded: whatever a thread is doing (a request, a consumer batch, the gateway's
    combined views), the process ends STOP_SECONDS after the signal at the latest.
    """
    from werkzeug.serving import make_server

    signals = Signals(STOP)  # first: a signal during start-up is not lost
    ports = local_ports()
    host = env("HOST")
    overrides = {"AMQP_URL": "memory://", "GATEWAY_URL": gateway_url(host, ports["gateway"])}
    servers = [
        make_server(host, ports[name], registry.create_app(name, overrides), threaded=True)
        for name in registry.ALL_TARGETS
    ]
    consumers = registry.consumers()
    workers = [
        Worker(registry.load_spec(name), registry.settings(name, overrides), consumers)
        for name in registry.SERVICE_NAMES
    ]
    for worker in workers:
        worker.start()
    threads = [
        threading.Thread(target=server.serve_forever, name=f"web-{server.port}", daemon=True)
        for server in servers
    ]
    for thread in threads:
        thread.start()
    stopping = threading.Event()
    threading.Thread(target=announce_when_ready, args=(stopping,), daemon=True).start()
    while not set(signals.wait(None)) & set(STOP):
        pass
    stopping.set()
    log.info("stopping")
    _stop(servers, workers, signals)
    logging.shutdown()
    # Threads left busy (a slow request, the gateway's pools) must not hold the process: what
    # is committed is on disk, and the memory transport holds nothing worth waiting for.
    sys.stderr.flush()
    os._exit(0)


def _stop(servers: list, workers: list[Worker], signals: Signals) -> None:
    """Stop servers and workers together, giving up at STOP_SECONDS or on a second signal."""
    deadline = time.monotonic() + STOP_SECONDS
    for worker in workers:
        worker.stop.set()
    stoppers = [threading.Thread(target=server.shutdown, daemon=True) for server in servers]
    stoppers += [
        threading.Thread(target=worker.shutdown, kwargs={"timeout": STOP_SECONDS}, daemon=True)
        for worker in workers
    ]
    for thread in stoppers:
        thread.start()
    while any(thread.is_alive() for thread in stoppers) and time.monotonic() < deadline:
        if set(signals.wait(0.1)) & set(STOP):
            log.warning("asked twice: stopping at once")
            return
    if any(thread.is_alive() for thread in stoppers):
        log.warning("some threads did not stop in time; leaving them")
