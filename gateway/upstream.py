"""One service as the proxy reaches it: keep-alive `http.client` connections and one call.

`http.client` directly rather than urllib3 for the proxied call: the proxy needs none of what
urllib3 adds (retries, redirects, decoding, header dicts, a response wrapper), and profiling put
that layer at about a quarter of the gateway's own CPU per call. The combined views keep urllib3.
"""

from __future__ import annotations

import http.client
import select
import socket
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import urlsplit

# Idle keep-alive connections kept per service and process; one per gunicorn thread is enough,
# more are made (and closed after use) under a burst rather than making a request wait.
POOL_SIZE = 16
# Read size when streaming a request body (bulk uploads) to the service.
BLOCK_SIZE = 64 * 1024


class UpstreamFailure(Exception):
    """The service gave no usable answer: `kind` is "down" (no connection, broken) or "timeout"."""

    def __init__(self, kind: str, error: BaseException) -> None:
        super().__init__(f"{kind}: {error!r}")
        self.kind = kind
        self.error = error


@dataclass(frozen=True)
class Answer:
    """A service's answer, read in full."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


class _Connection(http.client.HTTPConnection):
    # True when the body was not sent in full because the service answered first.
    cut_short = False

    def connect(self) -> None:
        super().connect()
        # Headers and a streamed body go out in separate writes: without this, Nagle's
        # algorithm and delayed ACKs could hold the body back by tens of milliseconds.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass
class Upstream:
    """A service's address, its base path and the idle connections to it (thread-safe LIFO)."""

    host: str
    port: int
    base_path: str
    _idle: deque[_Connection] = field(default_factory=deque, repr=False)

    @classmethod
    def of(cls, base_url: str) -> Upstream:
        """The upstream of a service URL such as `http://recruitment:8001` (http only)."""
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"a service URL must be http://host[:port][/path], not {base_url!r}")
        return cls(parts.hostname, parts.port or 80, parts.path.rstrip("/"))

    def call(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes | IO[bytes] | None,
        timeout: float,
    ) -> Answer:
        """Send one request and read the whole answer; raises UpstreamFailure, never retries.

        A service may answer before it has read the whole body (a 413, a 401) and close the
        connection: the body stops there and that answer is relayed, not a broken pipe's 502.
        """
        connection = self._acquire(timeout)
        try:
            if body is None:
                connection.request(method, target, headers=headers)
            else:
                _send_with_body(connection, method, target, headers, body)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            kind = "timeout" if isinstance(exc, TimeoutError) else "down"
            raise UpstreamFailure(kind, exc) from exc
        except BaseException:
            # The caller's body stopped half-way (a client cut off as too slow, see
            # chassis.gunicorn_worker): the service got half a request, never reuse it.
            connection.close()
            raise
        if response.will_close or connection.sock is None or connection.cut_short:
            connection.close()
        else:
            self._release(connection)
        # A status line without a phrase is legal; WSGI still wants one.
        reason = response.reason or "Unknown"
        return Answer(response.status, reason, response.getheaders(), data)

    def _acquire(self, timeout: float) -> _Connection:
        while True:
            try:
                connection = self._idle.pop()
            except IndexError:
                return _Connection(self.host, self.port, timeout=timeout, blocksize=BLOCK_SIZE)
            sock = connection.sock
            if sock is not None and not _dropped(sock):
                sock.settimeout(timeout)
                return connection
            # The service closed it while idle (gunicorn's keep-alive is a few seconds).
            connection.close()

    def _release(self, connection: _Connection) -> None:
        if len(self._idle) < POOL_SIZE:
            self._idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        """Close the idle connections."""
        while self._idle:
            self._idle.pop().close()


def _send_with_body(
    connection: _Connection,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes | IO[bytes],
) -> None:
    """Send the request line, the headers and the body in blocks, stopping at an early answer."""
    connection.cut_short = False
    if isinstance(body, bytes | bytearray):
        headers = {**headers, "Content-Length": str(len(body))}
        blocks: Iterable[bytes] = (
            body[i : i + BLOCK_SIZE] for i in range(0, len(body), BLOCK_SIZE)
        )
    else:
        blocks = iter(lambda: body.read(BLOCK_SIZE), b"")
    connection.putrequest(method, target)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    for block in blocks:
        if _dropped(connection.sock):
            connection.cut_short = True  # the service answered (or hung up) before the end
            return
        try:
            connection.send(block)
        except (BrokenPipeError, ConnectionResetError):
            connection.cut_short = True  # it closed on us: its answer may still be readable
            return


def _dropped(sock: socket.socket) -> bool:
    """True when an idle keep-alive socket is readable: closed by the peer (or garbage)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    try:
        return bool(poller.poll(0))
    except OSError:
        return True


def relayed(headers: Iterable[tuple[str, str]], dropped: frozenset[str]) -> list[tuple[str, str]]:
    """The headers minus `dropped` (lowercase) and those the `Connection` header names."""
    headers = list(headers)
    for name, value in headers:
        if name.lower() == "connection":
            dropped = dropped | {token.strip().lower() for token in value.split(",")}
    return [(name, value) for name, value in headers if name.lower() not in dropped]
