"""Slow clients (issue 13): the real gateway under gunicorn keeps answering others while 50
clients trickle their headers or bodies, or sit idle, and cuts each off after its deadline.

The gateway runs with one worker of two threads (`WEB_THREADS=2`): stock gthread gives a thread
to a connection as soon as it is accepted, so two slow clients were enough to stall it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field

import urllib3

from tests.service.gateway_support import Recorder, serve
from tests.service.test_gateway_fastpath import digesting_app
from tests.service.test_gateway_server import gunicorn_gateway  # noqa: F401 - the fixture

HEADER_TIMEOUT = 3.0
BODY_TIMEOUT = 3.0
KEEPALIVE = 2.0
MARGIN = 4.0  # the worker sweeps four times a second; the machine is shared and noisy
SETTINGS = {
    "HTTP_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
    "HTTP_BODY_TIMEOUT": str(BODY_TIMEOUT),
    "HTTP_KEEPALIVE": str(KEEPALIVE),
    "HTTP_BODY_BUFFER": "65536",
}


@dataclass
class SlowClient:
    """One connection that sends `head` and then one byte of `trickle` every `pause` seconds."""

    port: int
    head: bytes
    trickle: bytes = b""
    pause: float = 0.5
    connected: float = 0.0
    cut_off: float | None = None
    answer: bytes = b""
    errors: list[str] = field(default_factory=list)

    def run(self, ready: threading.Barrier) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            self.connected = time.monotonic()
            ready.wait()
            sock.sendall(self.head)
            sock.settimeout(self.pause)
            sent = 0
            while True:
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    if sent < len(self.trickle):
                        try:
                            sock.sendall(self.trickle[sent : sent + 1])
                        except OSError:
                            pass  # cut off: the answer or the close comes next
                        sent += 1
                    if time.monotonic() - self.connected > 30:
                        self.errors.append("never cut off")
                        return
                    continue
                except OSError as exc:  # reset: cut off without an answer
                    self.cut_off = self.cut_off or time.monotonic()
                    self.errors.append(repr(exc))
                    return
                if self.cut_off is None:
                    self.cut_off = time.monotonic()
                if not data:
                    return
                self.answer += data

    def status_and_body(self) -> tuple[int, dict]:
        head, _, body = self.answer.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(body)


def slowloris(port: int) -> SlowClient:
    """Headers that never end: a new header line one byte at a time."""
    return SlowClient(port, b"GET /live HTTP/1.1\r\nHost: gw\r\n", b"X-Slow: " + b"a" * 200)


def slow_post(port: int) -> SlowClient:
    """A proxied POST whose 400-byte body comes one byte at a time."""
    head = (
        b"POST /api/v1/training/courses HTTP/1.1\r\nHost: gw\r\n"
        b"Content-Type: application/json\r\nContent-Length: 400\r\n\r\n"
    )
    return SlowClient(port, head, b"x" * 400)


def silent(port: int) -> SlowClient:
    """A connection that never sends a byte."""
    return SlowClient(port, b"")


def test_fifty_slow_clients_are_cut_off_while_others_are_answered(gunicorn_gateway, keys):  # noqa: F811
    recorder = Recorder(digesting_app())
    with serve(recorder) as backend:
        url = gunicorn_gateway({"training": backend}, **SETTINGS)
        port = int(url.rsplit(":", 1)[1])
        slow = (
            [slowloris(port) for _ in range(20)]
            + [slow_post(port) for _ in range(20)]
            + [silent(port) for _ in range(10)]
        )
        ready = threading.Barrier(len(slow) + 1)
        threads = [threading.Thread(target=client.run, args=(ready,)) for client in slow]
        for thread in threads:
            thread.start()
        ready.wait()
        time.sleep(0.3)  # every slow client has sent its first bytes

        # Meanwhile a normal client: the gateway's own route and a proxied POST with a body.
        pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=5))
        answered = []
        headers = {**keys.headers("admin"), "Content-Type": "application/json"}
        normal_until = time.monotonic() + HEADER_TIMEOUT - 1.0
        while time.monotonic() < normal_until:
            live = pool.request("GET", f"{url}/live")
            body = json.dumps({"n": len(answered)}).encode()
            post = pool.request(
                "POST", f"{url}/api/v1/training/courses", body=body, headers=headers
            )
            assert live.status == 200, live.data
            assert post.status == 201, post.data
            assert post.json()["bytes"] == len(body)
            answered.append(time.monotonic())
        for thread in threads:
            thread.join(40)

    assert all(client.cut_off is not None for client in slow), [c.errors for c in slow]
    # Calls were answered while the slow clients still held their connections.
    first_cut_off = min(client.cut_off for client in slow)
    assert len([at for at in answered if at < first_cut_off]) >= 3
    for client in slow:
        held = client.cut_off - client.connected
        assert HEADER_TIMEOUT - 0.5 <= held <= HEADER_TIMEOUT + MARGIN, (client.head, held)
    for client in slow[:40]:  # they had started a request: 408 in the one error shape
        status, body = client.status_and_body()
        assert status == 408
        assert body["code"] == 408 and body["message"]
    for client in slow[40:]:  # they had sent nothing: closed without an answer
        assert client.answer == b""
    # No trickled body reached the service.
    assert all(call["path"] == "/courses" for call in recorder.service_calls())
    assert len(recorder.service_calls()) == len(answered)


def test_an_idle_kept_alive_connection_is_closed_after_the_keepalive(gunicorn_gateway):  # noqa: F811
    url = gunicorn_gateway({}, **SETTINGS)
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(b"GET /live HTTP/1.1\r\nHost: gw\r\n\r\n")
        (answer,) = read_answers(sock, 1)  # the head and the body may come in two reads
        answered = time.monotonic()
        assert answer.startswith(b"HTTP/1.1 200")
        assert sock.recv(65536) == b""  # closed by the gateway, not by the timeout above
        idle = time.monotonic() - answered
    assert KEEPALIVE - 0.5 <= idle <= KEEPALIVE + MARGIN


def test_a_big_upload_trickled_is_cut_off_by_its_thread(gunicorn_gateway, keys):  # noqa: F811
    recorder = Recorder(digesting_app())
    with serve(recorder) as backend:
        url = gunicorn_gateway({"training": backend}, **SETTINGS)
        port = int(url.rsplit(":", 1)[1])
        token = keys.headers("admin")["Authorization"].encode()
        head = (
            b"POST /api/v1/training/courses/upload HTTP/1.1\r\nHost: gw\r\n"
            b"Authorization: " + token + b"\r\nContent-Length: 200000\r\n\r\n"
        )
        # Over HTTP_BODY_BUFFER: a thread takes it at once and reads under the same deadline.
        client = SlowClient(port, head + b"y" * 70_000, b"y" * 100)
        client.run(threading.Barrier(1))
        # Everyone else is still answered afterwards.
        assert urllib3.request("GET", f"{url}/live", retries=False, timeout=5).status == 200

    status, body = client.status_and_body()
    assert status == 408 and body["code"] == 408
    assert BODY_TIMEOUT - 0.5 <= client.cut_off - client.connected <= BODY_TIMEOUT + MARGIN


def read_answers(sock: socket.socket, count: int) -> list[bytes]:
    """`count` whole answers (each with a Content-Length) read from one connection."""
    data, answers = b"", []
    while len(answers) < count:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")[1:]
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            if len(rest) >= length:
                answers.append(head + sep + rest[:length])
                data = rest[length:]
                continue
        chunk = sock.recv(65536)
        assert chunk, answers
        data += chunk
    return answers


def test_pipelined_requests_and_expect_continue_are_served_in_order(gunicorn_gateway, keys):  # noqa: F811
    recorder = Recorder(digesting_app())
    with serve(recorder) as backend:
        url = gunicorn_gateway({"training": backend}, **SETTINGS)
        port = int(url.rsplit(":", 1)[1])
        token = keys.headers("admin")["Authorization"].encode()
        post = (
            b"POST /api/v1/training/courses HTTP/1.1\r\nHost: gw\r\nAuthorization: "
            + token
            + b"\r\nContent-Length: 5\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            # Two requests in one send: the second waits in the poller, then is served.
            sock.sendall(post + b"\r\nhello" + b"GET /live HTTP/1.1\r\nHost: gw\r\n\r\n")
            first, second = read_answers(sock, 2)
            # A client that waits for 100 Continue before its body gets exactly one.
            sock.sendall(post + b"Expect: 100-continue\r\n\r\n")
            assert read_answers(sock, 1) == [b"HTTP/1.1 100 Continue\r\n\r\n"]
            sock.sendall(b"world")
            (third,) = read_answers(sock, 1)

    assert first.startswith(b"HTTP/1.1 201") and b'"bytes": 5' in first
    assert second.startswith(b"HTTP/1.1 200")
    assert third.startswith(b"HTTP/1.1 201") and b'"bytes": 5' in third
    assert [call["body"] for call in recorder.service_calls()] == [b"hello", b"world"]


def test_clients_hanging_up_half_way_free_their_place(gunicorn_gateway):  # noqa: F811
    url = gunicorn_gateway({}, **SETTINGS, WEB_CONNECTIONS="10")
    port = int(url.rsplit(":", 1)[1])
    for sent in (
        b"",
        b"GET /live HTTP/1.1\r\nHo",
        b"POST /x HTTP/1.1\r\nContent-Length: 9\r\n\r\n1",
    ):
        for _ in range(15):  # more than WEB_CONNECTIONS, one after the other
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(sent)
    time.sleep(0.5)  # the worker notices each hang-up

    # On a new connection (urllib3.request would reuse the one of the start-up's checks).
    fresh = urllib3.PoolManager(retries=False, timeout=5)
    assert fresh.request("GET", f"{url}/live").status == 200
