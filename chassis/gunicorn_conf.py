"""Gunicorn settings of every web process (`sofifi web` passes `-c python:chassis.gunicorn_conf`).

All values come from the environment (see chassis.config.ENV_VARS), so one image serves every
role and compose only sets variables.
"""

import os

from chassis.logs import configure_logging

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8080')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# gthread, with gunicorn's own error answers (bad request line, URL too long) as JSON.
worker_class = "chassis.gunicorn_worker.JsonErrorWorker"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow a process past its memory budget.
max_requests = 20000
max_requests_jitter = 2000
accesslog = None  # the app logs each request as JSON, with its request id
errorlog = "-"
# gunicorn's control socket has one default path per user: several web processes on one host
# would fight over it, and nothing here uses it.
control_socket_disable = True
proc_name = f"sofifi-{os.environ.get('SOFIFI_SERVICE', 'web')}"


def on_starting(_server) -> None:
    configure_logging(os.environ.get("SOFIFI_SERVICE", "web"), os.environ.get("LOG_LEVEL", "INFO"))


def child_exit(_server, worker) -> None:
    # Drop a dead worker's live gauges from the shared metrics folder.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
