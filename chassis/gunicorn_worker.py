"""The gunicorn worker of every web process: gthread, with slow clients kept off its threads.

**Slow clients.** Stock gthread gives a connection to a thread as soon as it is accepted (or,
kept alive, as soon as it is readable); the thread then reads the request line, the headers and
the app reads the body, blocking, for as long as the client takes. A few clients sending slowly
(slowloris headers, a trickled POST body) hold every thread, and everyone else waits. This
worker reads each request in its poller first (`chassis.request_reader`): without blocking,
with a deadline per phase (`HTTP_HEADER_TIMEOUT`, `HTTP_BODY_TIMEOUT` / `HTTP_BODY_MIN_RATE`,
`HTTP_KEEPALIVE` idle), and hands it to a thread only when it is whole. A client past its
deadline is answered 408 in the one error shape (closed silently if it never sent a byte). A
body over `HTTP_BODY_BUFFER` (bulk uploads), a head over 64 KiB, or anything past the poller's
budget (64 bodies' worth in all) is read by a thread, under the same deadline. Closing lingers
in the poller too, never in the main loop (gthread's graceful close blocks it up to 2 s).

**Error pages.** gunicorn answers some requests itself, before any app sees them (a bad request
line, a URL or headers over its limits, a broken chunked body): with an HTML page by default. It
has no setting for that page; its workers write it through `gunicorn.util.write_error`, called
only from `Worker.handle_error`. This worker replaces that one function in its own process when
it starts (never at import), so those answers come out as the platform's JSON error document.
"""

from __future__ import annotations

import errno
import json
import logging
import selectors
import socket
from functools import partial
from typing import Any

from gunicorn import http, util
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers.gthread import TConn, ThreadWorker

from chassis.errors import error_body
from chassis.request_reader import CONTINUE, Incoming, Limits, describe, monotonic

log = logging.getLogger("sofifi.web.slow")
LINGER_SECONDS = 2.0  # reading what a cut-off client still sends, so the answer is not reset
SWEEP_SECONDS = 0.25
HEAD_BUFFER = 64 * 1024
BUDGET_BODIES = 64  # the poller holds at most this many HTTP_BODY_BUFFER bodies' worth


def write_json_error(sock, status_int: int, reason: str, message: str) -> None:
    """gunicorn's error answer, as the common JSON error document (and `Connection: close`)."""
    util.write_nonblock(sock, error_answer(status_int, reason, message))


def error_answer(status_int: int, reason: str, message: str) -> bytes:
    """A whole HTTP answer carrying the common JSON error document, closing the connection."""
    body = error_body(status_int, message or reason)
    body.pop("request_id", None)  # no request was parsed, so none has an id
    data = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode("latin-1") + data


TIMEOUT_ANSWER = error_answer(408, "Request Timeout", "The request was not received in time.")


class ClientTooSlow(BaseException):
    """Raised in a thread reading a request past its deadline; the worker answers 408.

    A BaseException, so that no app handler turns it into a 500 or a 502: it goes straight
    through the app to the worker, which answers and closes."""


class DeadlineUnreader(SocketUnreader):
    """gunicorn's socket reader over the bytes the poller read, bounded by their deadline."""

    def __init__(self, sock: socket.socket, incoming: Incoming) -> None:
        super().__init__(sock)
        self.incoming = incoming
        self.buf.write(incoming.data)
        self.draining = False  # after the answer: gunicorn's own drain, with its own deadline

    def chunk(self, size_hint: int | None = None) -> bytes:
        """The next bytes from the socket, or ClientTooSlow past the request's deadline."""
        if self.draining:
            return super().chunk(size_hint)
        remaining = self.incoming.deadline() - monotonic()
        if remaining <= 0:
            raise ClientTooSlow
        self.sock.settimeout(remaining)
        try:
            data = super().chunk(size_hint)
        except TimeoutError:
            raise ClientTooSlow from None
        finally:
            self.sock.settimeout(None)
        self.incoming.received += len(data)
        return data


class JsonErrorWorker(ThreadWorker):
    """gunicorn's gthread worker reading requests in its poller, its own errors as JSON."""

    def init_process(self) -> None:
        """Swap the error writer in this worker process, then run as gthread does."""
        util.write_error = write_json_error
        # A head over gunicorn's limits (or HEAD_BUFFER) goes to a thread: gunicorn refuses it
        # (431), or reads the rest of a big one under the header deadline.
        max_head = self.cfg.limit_request_line + self.cfg.limit_request_fields * (
            self.cfg.limit_request_field_size + 2
        )
        self.limits = Limits.from_env(max_head=min(max_head + 4, HEAD_BUFFER))
        # What the poller holds for all its connections together: past it, a request being
        # read goes to a thread as it is (the threads are few, so memory stays bounded).
        self.budget = BUDGET_BODIES * self.limits.body_buffer
        self.buffered = 0
        # TLS and HTTP/2 are gunicorn's own business (the platform serves neither itself).
        self.buffering = not self.cfg.is_ssl and self.cfg.http2_cleartext in (None, "", "off")
        self.incoming: dict[TConn, Incoming] = {}
        self.lingering: dict[socket.socket, float] = {}
        self.last_sweep = 0.0
        super().init_process()

    # -- reading in the poller ----------------------------------------------------------

    def accept(self, listener) -> None:
        """Accept a connection and wait for its request in the poller, not in a thread."""
        if not self.buffering:
            return super().accept(listener)
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        self._await_request(conn, Incoming(self.limits, monotonic()))

    def _await_request(self, conn: TConn, incoming: Incoming) -> None:
        if incoming.ready:
            self._dispatch(conn, incoming)
            return
        self.incoming[conn] = incoming
        self.buffered += len(incoming.data)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))

    def _readable(self, conn: TConn, _sock: Any) -> None:
        incoming = self.incoming[conn]
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client hung up (or reset)
            self._forget(conn)
            self.nr_conns -= 1
            util.close(conn.sock)
            return
        before = len(incoming.data)
        incoming.feed(data, monotonic())
        self.buffered += len(incoming.data) - before
        if self.buffered > self.budget:
            incoming.ready = True  # over the budget: a thread reads the rest, under the deadline
        if incoming.want_continue():
            try:
                conn.sock.send(CONTINUE)
            except OSError:
                pass  # it is gone: the next read says so
        if incoming.ready:
            self._forget(conn)
            self._dispatch(conn, incoming)

    def _forget(self, conn: TConn) -> None:
        self.buffered -= len(self.incoming.pop(conn).data)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _dispatch(self, conn: TConn, incoming: Incoming) -> None:
        """Give the request to a thread, its bytes already read."""
        conn.sock.setblocking(True)
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        conn.initialized = True
        conn.data_ready = True
        conn.parser.unreader = DeadlineUnreader(conn.sock, incoming)
        self.enqueue_req(conn)

    # -- in the thread ------------------------------------------------------------------

    def handle(self, conn: TConn) -> Any:
        """Serve the request (as gthread does); a client past its deadline is answered 408."""
        try:
            return super().handle(conn)
        except ClientTooSlow:
            incoming = conn.parser.unreader.incoming
            log.info("slow client cut off", extra={"client": _peer(conn), **describe(incoming)})
            try:
                conn.sock.setblocking(False)
                conn.sock.send(TIMEOUT_ANSWER)
            except OSError:
                pass
            return False

    def handle_request(self, req, conn: TConn) -> bool:
        """Serve one request; `100 Continue` is not sent twice."""
        unreader = getattr(conn.parser, "unreader", None)
        if isinstance(unreader, DeadlineUnreader) and unreader.incoming.continue_sent:
            req._expected_100_continue = False
        return super().handle_request(req, conn)

    def _keepalive_after(self, conn: TConn, keepalive: bool) -> bool:
        unreader = conn.parser.unreader
        if isinstance(unreader, DeadlineUnreader):
            unreader.draining = True
        return super()._keepalive_after(conn, keepalive)

    # -- back in the main loop ----------------------------------------------------------

    def finish_request(self, conn: TConn, fs) -> None:
        """Wait for the next request on a kept-alive connection in the poller, or close it."""
        if not self.buffering:
            return super().finish_request(conn, fs)
        try:
            keep = bool(fs.result()) if not fs.cancelled() else False
        except BaseException:  # whatever the thread met, the connection ends
            keep = False
        if keep and self.alive:
            leftover = conn.parser.unreader.take_buffered()  # a pipelined next request
            conn.sock.setblocking(False)
            incoming = Incoming(self.limits, monotonic(), leftover, idle=self.limits.keepalive)
            self._await_request(conn, incoming)
            return
        self.nr_conns -= 1
        self._linger(conn.sock)

    def _linger(self, sock: socket.socket) -> None:
        """Close after the client stops sending (or LINGER_SECONDS), without blocking the loop."""
        try:
            sock.setblocking(False)
            sock.shutdown(socket.SHUT_WR)
            self.poller.register(sock, selectors.EVENT_READ, self._drain)
        except (OSError, ValueError, KeyError):
            util.close(sock)
            return
        self.lingering[sock] = monotonic() + LINGER_SECONDS

    def _drain(self, sock: socket.socket) -> None:
        try:
            if sock.recv(65536):
                return
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        self._close_lingering(sock)

    def _close_lingering(self, sock: socket.socket) -> None:
        self.lingering.pop(sock, None)
        try:
            self.poller.unregister(sock)
        except (KeyError, ValueError, OSError):
            pass
        util.close(sock)

    def murder_keepalived(self, force: bool = False) -> None:
        """Cut off clients past their deadlines (408 when they had started), end lingering."""
        super().murder_keepalived(force)
        if not self.buffering:
            return
        now = monotonic()
        if not force and now - self.last_sweep < SWEEP_SECONDS:
            return
        self.last_sweep = now
        for conn, incoming in list(self.incoming.items()):
            idle_stop = not self.alive and not incoming.started
            if force or idle_stop or incoming.expired(now):
                self._cut_off(conn, incoming, answer=incoming.started and not force)
        for sock, until in list(self.lingering.items()):
            if force or now >= until:
                self._close_lingering(sock)

    def _cut_off(self, conn: TConn, incoming: Incoming, answer: bool) -> None:
        self._forget(conn)
        self.nr_conns -= 1
        if not answer:
            util.close(conn.sock)
            return
        log.info("slow client cut off", extra={"client": _peer(conn), **describe(incoming)})
        try:
            conn.sock.send(TIMEOUT_ANSWER)
        except OSError:
            util.close(conn.sock)
            return
        self._linger(conn.sock)


def _peer(conn: TConn) -> str:
    client = conn.client
    return client[0] if isinstance(client, tuple) else str(client)
