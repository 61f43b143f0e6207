"""Views combined from several backends: the calls run at once, each within the part timeout.

All the calls of a view are started together from the calling thread and their answers read as
they arrive (non-blocking connects and one selector, no thread pool): no thread hand-offs, whose
scheduling waits on a busy machine cost more than the calls' own work. A part that fails or is
slow is marked as such and the others are still returned (partial results, never a 500), so a
combined view costs about as much as its slowest part, capped by GATEWAY_PART_TIMEOUT.
"""

from __future__ import annotations

import errno
import http.client
import json
import logging
import os
import select
import selectors
import socket
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

# Idle keep-alive connections kept per backend (host, port) and process.
CONNECTIONS_KEPT = 16


@dataclass(frozen=True)
class Part:
    """One backend's share of a combined view.

    `status` is "ok" (a 2xx JSON answer), "error" (it answered, but not 2xx or not JSON),
    "down" (no connection) or "timeout" (no answer within the part timeout). `latency_ms` runs
    from the start of the gathering to the part's answer read in full (or its failure).
    """

    name: str
    url: str
    status: str
    http_status: int | None = None
    data: Any = None
    error: str | None = None
    latency_ms: float = 0.0

    @property
    def ok(self) -> bool:
        """True for a 2xx JSON answer."""
        return self.status == "ok"


@dataclass
class _Call:
    """One part in flight: where it goes, its connection, and its outcome once known."""

    name: str
    url: str
    address: tuple[str, int]
    target: str
    connection: http.client.HTTPConnection | None = None
    reused: bool = False
    # True while the connect is in progress (waiting to be writable), False once sent.
    connecting: bool = False
    part: Part | None = field(default=None, repr=False)


class Aggregator:
    """Runs GET calls to several backends at once; keeps idle keep-alive connections."""

    def __init__(self, part_timeout: float, connections_kept: int = CONNECTIONS_KEPT) -> None:
        self.part_timeout = part_timeout
        self.connections_kept = connections_kept
        self._idle: dict[tuple[str, int], deque[http.client.HTTPConnection]] = {}

    def get_json(
        self, calls: Mapping[str, str], headers: Mapping[str, str] | None = None
    ) -> dict[str, Part]:
        """GET every `name -> url` at once; one Part per name, in the order given."""
        started = time.perf_counter()
        deadline = started + self.part_timeout
        sent = dict(headers or {})
        selector = selectors.DefaultSelector()
        flights = [_call(name, url) for name, url in calls.items()]
        try:
            for flight in flights:
                self._start(flight, selector, sent, started, deadline)
            while selector.get_map():
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    break
                for key, _events in selector.select(remaining):
                    selector.unregister(key.fileobj)
                    # By the call's own phase: a hang-up reports both events.
                    if key.data.connecting:
                        self._connected(key.data, selector, sent, started, deadline)
                    else:
                        self._read(key.data, selector, sent, started, deadline)
            for key in list(selector.get_map().values()):
                # No answer in time: the connection is dropped, not left to finish.
                selector.unregister(key.fileobj)
                flight = key.data
                _close(flight)
                self._failed(flight, "timeout", None, started)
        finally:
            selector.close()
        return {flight.name: flight.part for flight in flights}  # type: ignore[misc]

    def _start(
        self,
        flight: _Call,
        selector: selectors.BaseSelector,
        headers: dict[str, str],
        started: float,
        deadline: float,
        reuse: bool = True,
    ) -> None:
        """Send on an idle connection, or begin a non-blocking connect."""
        if flight.part is not None:  # a URL it could not even parse
            return
        idle = self._take(flight.address) if reuse else None
        if idle is not None:
            flight.connection, flight.reused = idle, True
            self._send(flight, selector, headers, started, deadline)
            return
        flight.reused = False
        host, port = flight.address
        try:
            family, kind, proto, _name, address = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )[0]
            sock = socket.socket(family, kind, proto)
        except OSError as exc:
            self._failed(flight, "down", exc, started)
            return
        sock.setblocking(False)
        code = sock.connect_ex(address)
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self._failed(flight, "down", OSError(code, os.strerror(code)), started)
            return
        flight.connection = http.client.HTTPConnection(host, port, timeout=self.part_timeout)
        flight.connection.sock = sock
        flight.connecting = True
        selector.register(sock, selectors.EVENT_WRITE, flight)

    def _connected(
        self,
        flight: _Call,
        selector: selectors.BaseSelector,
        headers: dict[str, str],
        started: float,
        deadline: float,
    ) -> None:
        """The connect finished: refused (down) or ready to send."""
        flight.connecting = False
        sock = flight.connection.sock  # type: ignore[union-attr]
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            _close(flight)
            self._failed(flight, "down", OSError(code, os.strerror(code)), started)
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._send(flight, selector, headers, started, deadline)

    def _send(
        self,
        flight: _Call,
        selector: selectors.BaseSelector,
        headers: dict[str, str],
        started: float,
        deadline: float,
    ) -> None:
        connection = flight.connection
        try:
            connection.sock.settimeout(max(deadline - time.perf_counter(), 0.001))  # type: ignore[union-attr]
            connection.request("GET", flight.target, headers=headers)  # type: ignore[union-attr]
        except (OSError, http.client.HTTPException) as exc:
            self._broken(flight, exc, selector, headers, started, deadline)
            return
        selector.register(connection.sock, selectors.EVENT_READ, flight)  # type: ignore[union-attr]

    def _read(
        self,
        flight: _Call,
        selector: selectors.BaseSelector,
        headers: dict[str, str],
        started: float,
        deadline: float,
    ) -> None:
        """The answer has begun to arrive: read it whole (within the deadline) and judge it."""
        connection = flight.connection
        try:
            connection.sock.settimeout(max(deadline - time.perf_counter(), 0.001))  # type: ignore[union-attr]
            response = connection.getresponse()  # type: ignore[union-attr]
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._broken(flight, exc, selector, headers, started, deadline)
            return
        latency = _ms_since(started)
        if response.will_close:
            connection.close()  # type: ignore[union-attr]
        else:
            self._keep(flight.address, connection)  # type: ignore[arg-type]
        flight.connection = None
        flight.part = judged(flight.name, flight.url, response.status, body, latency)

    def _broken(
        self,
        flight: _Call,
        exc: BaseException,
        selector: selectors.BaseSelector,
        headers: dict[str, str],
        started: float,
        deadline: float,
    ) -> None:
        """A send or read failed: once more on a new connection if an idle one went stale."""
        _close(flight)
        if flight.reused and not isinstance(exc, TimeoutError):
            # The backend closed a kept connection as it was taken (a GET is safe to resend).
            flight.reused = False
            self._start(flight, selector, headers, started, deadline, reuse=False)
            return
        self._failed(flight, "timeout" if isinstance(exc, TimeoutError) else "down", exc, started)

    def _failed(
        self, flight: _Call, outcome: str, exc: BaseException | None, started: float
    ) -> None:
        log.warning(
            "backend call failed",
            extra={"part": flight.name, "outcome": outcome, "error": repr(exc)},
        )
        error = (
            f"no answer within {self.part_timeout:g} s" if outcome == "timeout" else reason(exc)  # type: ignore[arg-type]
        )
        flight.part = Part(
            flight.name, flight.url, outcome, error=error, latency_ms=_ms_since(started)
        )

    def _take(self, address: tuple[str, int]) -> http.client.HTTPConnection | None:
        queue = self._idle.get(address)
        while queue:
            try:
                connection = queue.pop()
            except IndexError:
                return None
            if connection.sock is not None and not _stale(connection.sock):
                return connection
            connection.close()  # the backend closed it while idle (its keep-alive ran out)
        return None

    def _keep(self, address: tuple[str, int], connection: http.client.HTTPConnection) -> None:
        queue = self._idle.setdefault(address, deque())
        if len(queue) < self.connections_kept:
            queue.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        """Close the idle connections."""
        for queue in self._idle.values():
            while queue:
                queue.pop().close()


def _call(name: str, url: str) -> _Call:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    flight = _Call(name, url, (parts.hostname or "", parts.port or 80), target)
    if parts.scheme != "http" or not parts.hostname:
        flight.part = Part(name, url, "down", error="not an http:// URL")
    return flight


def _close(flight: _Call) -> None:
    if flight.connection is not None:
        flight.connection.close()
        flight.connection = None


def judged(name: str, url: str, status: int, body: bytes, latency: float) -> Part:
    """The Part of an answer: ok (2xx JSON) or error (not 2xx, or not JSON)."""
    try:
        data = json.loads(body)
    except ValueError:
        return Part(name, url, "error", status, error="the answer is not JSON", latency_ms=latency)
    outcome = "ok" if 200 <= status < 300 else "error"
    return Part(
        name, url, outcome, status, data, None if outcome == "ok" else f"HTTP {status}", latency
    )


def _stale(sock: socket.socket) -> bool:
    """True when an idle keep-alive socket is readable: closed by the backend (or garbage)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    try:
        return bool(poller.poll(0))
    except OSError:
        return True


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def reason(exc: BaseException) -> str:
    """The OS reason of a failed call (e.g. "Connection refused"), without hosts or internals."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).rsplit(": ", 1)[-1][:200]
