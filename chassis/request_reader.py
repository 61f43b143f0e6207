"""Reading a request in the web worker's poller, before any thread is given to it.

A gthread worker has a few threads; one reading a request from a slow client waits as long as
the client likes. The worker (`chassis.gunicorn_worker`) therefore reads each request's head and
body here first, without blocking, as the bytes arrive, and gives a thread a request only once
it is whole (or too big to hold, or malformed: then gunicorn's parser has the last word). Each
phase has a deadline: a client too slow is answered 408 (or, if it sent nothing, closed).

No I/O here: the worker feeds bytes and asks what to do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from chassis.config import env

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
# A chunk-size line longer than this is garbage (gunicorn refuses it; no need to wait for more).
_MAX_CHUNK_LINE = 1024


@dataclass(frozen=True)
class Limits:
    """How long a client may take over each part of a request, and what is held in memory."""

    header_timeout: float
    body_timeout: float
    body_min_rate: float
    keepalive: float
    body_buffer: int
    max_head: int = 64 * 1024

    @classmethod
    def from_env(cls, max_head: int = 64 * 1024) -> Limits:
        """The limits of the config table (HTTP_* variables)."""
        return cls(
            header_timeout=env("HTTP_HEADER_TIMEOUT"),
            body_timeout=env("HTTP_BODY_TIMEOUT"),
            body_min_rate=env("HTTP_BODY_MIN_RATE"),
            keepalive=env("HTTP_KEEPALIVE"),
            body_buffer=env("HTTP_BODY_BUFFER"),
            max_head=max_head,
        )


class Incoming:
    """The request being read on one connection, fed the bytes as they arrive."""

    def __init__(self, limits: Limits, now: float, data: bytes = b"", idle: float = 0.0) -> None:
        self.limits = limits
        self.data = bytearray()
        # Nothing received yet: the connection may sit idle until `idle_until`, then it is closed
        # without an answer (a new connection gets the header timeout, a kept-alive one less).
        self.idle_until = now + (idle or limits.header_timeout)
        self.first_byte: float | None = None
        self.head_end: int | None = None
        self.body_start = 0.0
        self.length: int | None = None  # body length, when declared
        self.chunked = False
        self._chunk_pos = 0  # where the chunked-body scan goes on
        self.expects_continue = False
        self.continue_sent = False
        self.complete = False  # the whole request is in `data`
        self.ready = False  # a thread should take it now (complete, too big or malformed)
        self.received = 0  # bytes read by a thread after the hand-over (body rate)
        if data:
            self.feed(data, now)

    @property
    def started(self) -> bool:
        """Whether any byte of the request has arrived (a cut-off is then answered 408)."""
        return self.first_byte is not None

    def deadline(self) -> float:
        """When the client has taken too long: idle, its head, or its body below the min rate."""
        if self.first_byte is None:
            return self.idle_until
        if self.head_end is None:
            return self.first_byte + self.limits.header_timeout
        body_bytes = len(self.data) - self.head_end + self.received
        rate_allows = body_bytes / self.limits.body_min_rate if self.limits.body_min_rate else 0
        return self.body_start + max(self.limits.body_timeout, rate_allows)

    def expired(self, now: float) -> bool:
        """Whether the deadline has passed."""
        return now >= self.deadline()

    def want_continue(self) -> bool:
        """Whether to send `100 Continue` now (the client waits for it before its body)."""
        if self.expects_continue and not self.continue_sent and not self.ready:
            self.continue_sent = True
            return True
        return False

    def feed(self, data: bytes, now: float) -> None:
        """Take bytes read from the client; sets `ready` (and `complete`) when it is time."""
        if self.first_byte is None:
            # Blank lines before a request line are ignored (RFC 9112 section 2.2).
            data = data.lstrip(b"\r\n") if not self.data else data
            if not data:
                return
            self.first_byte = now
        self.data += data
        if self.head_end is None:
            end = self.data.find(b"\r\n\r\n")
            if end < 0:
                if len(self.data) > self.limits.max_head:
                    self.ready = True  # gunicorn answers 431 or 400
                return
            self.head_end = end + 4
            self.body_start = now
            if not self._read_head(bytes(self.data[: self.head_end])):
                self.ready = True  # malformed framing: gunicorn's parser answers 400
                return
        self._check_body()

    def _read_head(self, head: bytes) -> bool:
        """Learn the body's framing from the head; False when it is not plain enough to trust."""
        lines = head.split(b"\r\n")
        version = lines[0].rsplit(b" ", 1)[-1]
        lengths: set[bytes] = set()
        codings: list[bytes] = []
        expect = False
        for line in lines[1:]:
            if not line:
                continue
            name, colon, value = line.partition(b":")
            if not colon or name != name.strip():
                return False
            name, value = name.lower(), value.strip()
            if name == b"content-length":
                lengths.update(part.strip() for part in value.split(b","))
            elif name == b"transfer-encoding":
                codings += [part.strip().lower() for part in value.split(b",")]
            elif name == b"expect" and value.lower() == b"100-continue":
                expect = version == b"HTTP/1.1"
        if codings:
            if lengths or codings[-1] != b"chunked":
                return False
            self.chunked = True
            self._chunk_pos = self.head_end or 0
        elif lengths:
            if len(lengths) != 1 or not next(iter(lengths)).isdigit():
                return False
            self.length = int(next(iter(lengths)))
        self.expects_continue = expect
        return True

    def _check_body(self) -> None:
        head_end = self.head_end or 0
        if self.chunked:
            end = self._chunked_end()
            if end is None:
                if len(self.data) - head_end > self.limits.body_buffer:
                    self.ready = True  # too big to hold: a thread reads the rest
                return
            self.complete = self.ready = end >= 0
            if end < 0:
                self.ready = True  # malformed: gunicorn's parser answers 400
            return
        length = self.length or 0
        if length > self.limits.body_buffer:
            self.ready = True  # a big upload: a thread reads it, under the same deadline
            return
        if len(self.data) - head_end >= length:
            self.complete = self.ready = True

    def _chunked_end(self) -> int | None:
        """Where the chunked body ends (after its trailers), None if not yet, -1 if malformed."""
        data, pos = self.data, self._chunk_pos
        while True:
            eol = data.find(b"\r\n", pos)
            if eol < 0:
                return -1 if len(data) - pos > _MAX_CHUNK_LINE else None
            size_text = bytes(data[pos:eol]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                return -1
            if size == 0:
                line = eol + 2
                while True:  # trailer fields, up to an empty line
                    end = data.find(b"\r\n", line)
                    if end < 0:
                        return None
                    if end == line:
                        return end + 2
                    line = end + 2
            after = eol + 2 + size
            if len(data) < after + 2:
                return None
            if data[after : after + 2] != b"\r\n":
                return -1
            pos = self._chunk_pos = after + 2


def monotonic() -> float:
    """The clock of every deadline here."""
    return time.monotonic()


def describe(incoming: Incoming) -> dict[str, Any]:
    """What was received when a client was cut off (for the log)."""
    phase = "idle" if not incoming.started else "head" if incoming.head_end is None else "body"
    return {"phase": phase, "bytes": len(incoming.data) + incoming.received}
