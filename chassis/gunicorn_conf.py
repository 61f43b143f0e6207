"""Gunicorn settings of every web process (`sofifi web` passes `-c python:chassis.gunicorn_conf`).

All values come from the environment through chassis.config's table, so one image serves every
role and compose only sets variables.
"""

import math

from chassis.config import env
from chassis.logs import configure_logging, interactive

_service = env("SOFIFI_SERVICE")
_port = env("PORT")
if _port is None:
    raise SystemExit("PORT is not set: start web processes with `sofifi web <name>`")
bind = f"{env('HOST')}:{_port}"
workers = env("WEB_CONCURRENCY")
threads = env("WEB_THREADS")
worker_connections = env("WEB_CONNECTIONS")
# gthread reading each request in its poller under deadlines (slow clients never hold a thread:
# HTTP_HEADER_TIMEOUT, HTTP_BODY_TIMEOUT, ...), with gunicorn's own error answers as JSON.
worker_class = "chassis.gunicorn_worker.JsonErrorWorker"
timeout = 30
# Under the 10 s a container gets between SIGTERM and SIGKILL (and `sofifi run`'s stop).
graceful_timeout = 5
# gunicorn wants whole seconds; the worker itself keeps the exact figure.
keepalive = math.ceil(env("HTTP_KEEPALIVE"))
# Recycle workers now and then, so a slow leak can never grow a process past its memory budget.
max_requests = 20000
max_requests_jitter = 2000
accesslog = None  # the app logs each request as JSON, with its request id
errorlog = "-"
# At a terminal, gunicorn's boot lines are noise next to the platform's banner.
loglevel = "warning" if interactive() else "info"
# gunicorn's control socket has one default path per user: several web processes on one host
# would fight over it, and nothing here uses it.
control_socket_disable = True
proc_name = f"sofifi-{_service}"


def on_starting(_server) -> None:
    configure_logging(_service, env("LOG_LEVEL"))


def child_exit(_server, worker) -> None:
    # Drop a dead worker's live gauges from the shared metrics folder.
    if env("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
