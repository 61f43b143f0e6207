"""The gateway as it runs in production (`sofifi web gateway`: gunicorn, the platform's worker).

Errors found by fuzzing (issue 13): a malformed chunked body must be the caller's 400, a big
body the service refuses early must come back as the service's own answer, and gunicorn's own
refusals (bad request line, URL or headers too long) must be in the one JSON error shape. Also
the two proxy paths on one real server: a chunked body goes through the Flask view, a body with
a length through the fast path, and both reach the service the same way.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from chassis.migrations import upgrade
from gateway.app import MIGRATIONS_DIR
from tests.service.gateway_support import Recorder, closed_port_url, serve
from tests.service.test_gateway_fastpath import digesting_app

MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EarlyRefuser:
    """A real HTTP server that answers 413 after the headers and hangs up without the body."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with client:
                received = b""
                while b"\r\n\r\n" not in received:
                    received += client.recv(65536)
                body = b'{"code": 413, "message": "The roster file is too large."}'
                client.sendall(
                    b"HTTP/1.1 413 Content Too Large\r\nContent-Type: application/json\r\n"
                    b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                time.sleep(0.2)  # as a server does: the answer first, then the close

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def gunicorn_gateway(tmp_path: Path, keys) -> Iterator:
    """Start `sofifi web gateway` on given backends (and settings); yields a function that
    returns its URL."""
    started: list[subprocess.Popen] = []

    def start(backends: dict[str, str], **settings: str) -> str:
        database = f"sqlite:///{tmp_path}/gateway.db"
        upgrade(MIGRATIONS_DIR, database)
        port = free_port()
        env = {
            **os.environ,
            "SOFIFI_VAR_DIR": str(tmp_path / "var"),
            "JWT_PUBLIC_KEY_FILE": str(keys.public),
            "JWT_PRIVATE_KEY_FILE": str(keys.private),
            "AMQP_URL": "memory://",
            "DATABASE_URL": database,
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "2",
            **settings,
        }
        for name in ("recruitment", "appraisal", "training", "awards", "feedback"):
            env[f"{name.upper()}_URL"] = backends.get(name) or closed_port_url()
        sofifi = Path(sys.executable).parent / "sofifi"
        log = (tmp_path / "gateway.log").open("ab")
        process = subprocess.Popen([str(sofifi), "web", "gateway"], env=env, stdout=log, stderr=log)
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "gateway.log").read_text()
            try:
                if urllib3.request("GET", f"{url}/ready", retries=False, timeout=2).status == 200:
                    return url
            except urllib3.exceptions.HTTPError:
                time.sleep(0.2)
        raise AssertionError("the gateway did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(20)


def raw_exchange(url: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes to a server and parse its one answer (status, headers, body)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            if body and b"content-length" in head.lower():
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                if len(body) >= length:
                    break
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def test_a_chunked_body_goes_through_flask_and_a_sized_one_through_the_fast_path(
    gunicorn_gateway, keys
):
    recorder = Recorder(digesting_app())
    with serve(recorder) as backend:
        url = gunicorn_gateway({"training": backend})
        payload = os.urandom(300_000)
        headers = {
            **keys.headers("admin"),
            "Content-Type": "application/octet-stream",
            "Idempotency-Key": "upload-0001",
        }

        def parts():
            for start in range(0, len(payload), 70_000):
                yield payload[start : start + 70_000]

        chunked = urllib3.request(
            "POST",
            f"{url}/api/v1/training/courses/upload",
            body=parts(),
            headers=headers,
            retries=False,
        )
        sized = urllib3.request(
            "POST",
            f"{url}/api/v1/training/courses/upload",
            body=payload,
            headers=headers,
            retries=False,
        )

    assert chunked.status == sized.status == 201
    assert chunked.json() == sized.json()
    assert chunked.json()["bytes"] == len(payload)
    first, second = recorder.service_calls()
    # Same forwarded headers by both paths (the request ids differ, one per call).
    for call in (first, second):
        assert call["headers"]["X-Forwarded-For"] == "127.0.0.1"
        assert call["headers"]["Content-Type"] == "application/octet-stream"
        assert call["headers"]["Authorization"] == headers["Authorization"]
        assert call["headers"]["Idempotency-Key"] == "upload-0001"
        assert call["headers"]["X-Forwarded-Prefix"] == "/api/v1/training"
        assert "Transfer-Encoding" not in call["headers"]
    assert chunked.headers["X-Request-ID"] == first["headers"]["X-Request-Id"]
    assert sized.headers["X-Request-ID"] == second["headers"]["X-Request-Id"]


def test_a_malformed_chunked_body_is_a_400_in_the_common_shape(gunicorn_gateway, keys):
    recorder = Recorder(digesting_app())
    with serve(recorder) as backend:
        url = gunicorn_gateway({"training": backend})
        token = keys.headers("admin")["Authorization"]
        status, headers, body = raw_exchange(
            url,
            b"POST /api/v1/training/courses/upload HTTP/1.1\r\nHost: gw\r\n"
            b"Authorization: " + token.encode() + b"\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nbroken\r\n0\r\n\r\n",
        )

    assert status == 400
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["code"] == 400 and answer["status"] == "Bad Request"
    assert recorder.service_calls() == []


def test_a_big_body_the_service_refuses_early_relays_its_answer(gunicorn_gateway, keys):
    refuser = EarlyRefuser()
    try:
        url = gunicorn_gateway({"recruitment": refuser.url})
        answer = urllib3.request(
            "POST",
            f"{url}/api/v1/recruitment/employees/import",
            body=b"x" * (8 * MIB),
            headers={**keys.headers("admin"), "Content-Type": "text/csv"},
            retries=False,
        )
    finally:
        refuser.close()

    assert answer.status == 413
    assert answer.json()["message"] == "The roster file is too large."


@pytest.mark.parametrize(
    ("request_bytes", "code"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /api/v1/" + b"a" * 9000 + b" HTTP/1.1\r\nHost: gw\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: gw\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
    ],
    ids=["bad-request-line", "url-too-long", "header-too-long"],
)
def test_gunicorns_own_refusals_are_in_the_common_shape(gunicorn_gateway, request_bytes, code):
    url = gunicorn_gateway({})

    status, headers, body = raw_exchange(url, request_bytes)

    assert status == code
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["code"] == code
    assert set(answer) == {"code", "status", "message"}
